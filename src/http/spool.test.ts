import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { spool } from './spool.ts';

const spoolDirs = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('arflow-download-'));

describe('spool: a download written whole before it is sent', () => {
  it('gives the bytes written with their size, and leaves no file behind once open', async () => {
    const before = await spoolDirs();
    // "账龄,1234.50\n" is 6 bytes of Chinese (two characters of 3 bytes), a comma, 7 digits and a dot, a newline: 15 bytes; twice.
    const file = await spool(async (out) => {
      out.write('账龄,1234.50\n');
      await new Promise((resolve) => setTimeout(resolve, 5));
      out.end('账龄,1234.50\n');
    });
    expect(file.size).toBe(30);
    expect(await spoolDirs()).toEqual(before);
    expect(await text(file.stream)).toBe('账龄,1234.50\n账龄,1234.50\n');
  });

  it('passes on the writer\'s error and removes what it had written', async () => {
    const before = await spoolDirs();
    await expect(spool(async (out) => {
      out.write('half a file');
      throw new Error('FX_RATE_MISSING');
    })).rejects.toThrow('FX_RATE_MISSING');
    expect(await spoolDirs()).toEqual(before);
  });
});
