/**
 * A download written whole to a temporary file before its first byte is sent. A file read from the database inside
 * one transaction (the aging report's every row from a cursor) must not keep that transaction open while a slow
 * client reads: on PGlite, one connection, it would hold up every other request until the download ended, and on
 * PostgreSQL it would pin a pooled connection and a snapshot. Spooled, the transaction lasts as long as the database
 * read and the formatting, the file has a Content-Length, and an error anywhere gives a proper error answer instead
 * of a download cut short. Memory stays bounded: the file is on disk, and is deleted as soon as it is open for
 * sending (the open handle keeps it readable; nothing is left behind if the client never reads it).
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export interface Spooled {
  /** Bytes in the file. */
  size: number;
  /** The file's content, once; its handle closes when the stream ends or is destroyed. */
  stream: Readable;
}

/** Runs `write` into a temporary file (it must end the stream it is given) and returns that file ready to send. */
export async function spool(write: (out: Writable) => Promise<unknown>): Promise<Spooled> {
  const dir = await mkdtemp(join(tmpdir(), 'arflow-download-'));
  try {
    const path = join(dir, 'file');
    const out = createWriteStream(path);
    try {
      await write(out);
      await finished(out);
    } finally {
      if (!out.closed) out.destroy();
    }
    const { size } = await stat(path);
    const handle = await open(path, 'r');
    return { size, stream: handle.createReadStream() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
