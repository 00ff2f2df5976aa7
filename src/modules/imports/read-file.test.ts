import { mkdtemp, readdir, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../domain/errors.ts';
import {
  cellText,
  columnLetters,
  detectEncoding,
  detectFormat,
  numberText,
  readRecords,
  sniffDelimiter,
  type ReadOptions,
  type SourceRecord,
} from './read-file.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arflow-read-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(path: string, options: ReadOptions = {}): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const record of readRecords(path, options)) records.push(record);
  return records;
}

async function tempFile(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The AppError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the promise to reject');
}

describe('detectFormat', () => {
  it('tells xlsx by the ZIP magic, not by the name', async () => {
    const zipNamedCsv = await tempFile('really-a-workbook.csv', Buffer.from('PK\x03\x04rest', 'latin1'));
    expect(await detectFormat(zipNamedCsv)).toBe('xlsx');
    expect(await detectFormat(fixture('payments-semicolon.csv'))).toBe('csv');
    expect(await detectFormat(await tempFile('empty.csv', ''))).toBe('csv');
  });
});

describe('detectEncoding', () => {
  it('reads BOMs', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('utf-8');
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0x00]))).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0x00, 0x61]))).toBe('utf-16be');
  });

  it('takes valid UTF-8 as UTF-8 even when the sample ends inside a character', () => {
    const text = Buffer.from('客户编码,金额', 'utf8');
    // "额" is 3 bytes; cut after its first byte, the sample is still UTF-8.
    expect(detectEncoding(text.subarray(0, text.length - 2))).toBe('utf-8');
  });

  it('takes anything else as GB18030', () => {
    expect(detectEncoding(iconv.encode('客户编码,金额', 'gbk'))).toBe('gb18030');
  });
});

describe('sniffDelimiter', () => {
  it('picks the most frequent of comma, semicolon and tab outside quotes', () => {
    expect(sniffDelimiter('a,b,c')).toBe(',');
    expect(sniffDelimiter('a;b;"c,d,e"')).toBe(';');
    expect(sniffDelimiter('a\tb\tc')).toBe('\t');
    expect(sniffDelimiter('single')).toBe(',');
    expect(sniffDelimiter('a,b;c')).toBe(',');
  });
});

describe('readRecords: CSV', () => {
  it('reads UTF-8 with a BOM, with a quoted multi-line field keeping its starting line', async () => {
    const records = await readAll(fixture('invoices-utf8-bom.csv'));
    expect(records).toEqual([
      { line: 1, values: ['发票号码', '客户编码', '开票日期', '到期日', '币种', '价税合计', '备注'] },
      { line: 2, values: ['INV-2026-0001', 'C001', '2026-03-01', '2026-03-31', '人民币', '1,234.50', '首批'] },
      { line: 3, values: ['INV-2026-0002', 'C002', '2026/3/5', '', 'USD', '¥980'] },
      { line: 4, values: ['INV-2026-0003', 'C001', '2026年3月10日', '', '', '２００．００', '多行\n备注'] },
      { line: 6, values: ['INV-2026-0004', ' C003 ', '20260315', '2026-04-14', 'cny', '0.5'] },
    ]);
  });

  it('reads a GBK file (a Chinese Excel "CSV") as GB18030', async () => {
    const bytes = await readFile(fixture('customers-gbk.csv'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const records = await readAll(fixture('customers-gbk.csv'));
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(records[0]!.values.slice(0, 3)).toEqual(['客户编码', '客户名称', '税号']);
    expect(records[1]!.values).toEqual([
      'C001', '上海华东贸易有限公司', '91310000MA1FL1234X', 'CNY', 'NET30', '500,000.00', 'G01', '大客户', '华东', '张伟',
      '李娜', 'ar@huadong.example.cn', '021-12345678', '中文',
    ]);
  });

  it('reads semicolons, sniffed from the header line', async () => {
    const records = await readAll(fixture('payments-semicolon.csv'));
    expect(records[2]).toEqual({
      line: 3,
      values: ['BANK-002', 'C002', '2026.3.21', '1,000.00', 'USD', 'INV-2026-0002：500|INV-2026-0005'],
    });
  });

  it('counts CRLF lines, a multi-line field and a blank line', async () => {
    const records = await readAll(fixture('customers-crlf-multiline.csv'));
    expect(records).toEqual([
      { line: 1, values: ['code', 'name', 'note'] },
      { line: 2, values: ['C001', 'Alpha, Inc.', 'first line\r\nsecond line'] },
      { line: 5, values: ['C002', 'Beta'] },
    ]);
  });

  it('reads a file with mixed line ends', async () => {
    const path = await tempFile('mixed.csv', 'a,b\n1,2\r\n3,"x\ny"\r4,5\n');
    expect(await readAll(path)).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: ['1', '2'] },
      { line: 3, values: ['3', 'x\ny'] },
      { line: 5, values: ['4', '5'] },
    ]);
  });

  it('keeps line numbers exact across read chunks, whatever the line ends and multi-line cells', async () => {
    // ~300 KiB, so several 64 KiB chunk boundaries fall inside line ends and quoted cells.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const ends = ['\n', '\r\n', '\r'];
    let text = 'id,note\n';
    let line = 2;
    const expected: SourceRecord[] = [{ line: 1, values: ['id', 'note'] }];
    for (let i = 0; text.length < 300 * 1024; i++) {
      const breaks = random(3);
      const note = Array.from({ length: breaks + 1 }, (_, k) => `n${i}-${k}`).join(ends[random(3)]!);
      const noteLines = note.split(/\r\n|\r|\n/).length - 1;
      const end = ends[random(3)]!;
      text += `${i},"${note}"${end}`;
      expected.push({ line, values: [String(i), note] });
      line += 1 + noteLines;
      if (random(10) === 0) {
        text += end; // a blank line (the same end again: "\r" then "\n" would be one CRLF)
        line += 1;
      }
    }
    const path = await tempFile('chunks.csv', text);
    expect(await readAll(path)).toEqual(expected);
  });

  it('reads UTF-16LE with a BOM, tab-separated (Excel "Unicode text")', async () => {
    const text = '客户编码\t客户名称\r\nC001\t华东贸易\r\n';
    const path = await tempFile('unicode.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]));
    expect(await readAll(path)).toEqual([
      { line: 1, values: ['客户编码', '客户名称'] },
      { line: 2, values: ['C001', '华东贸易'] },
    ]);
  });

  it('honours a forced encoding and delimiter', async () => {
    const path = await tempFile('forced.csv', iconv.encode('a|b\n编码|名称\n', 'gbk'));
    expect((await readAll(path, { encoding: 'gbk', delimiter: ';' }))[1]).toEqual({ line: 2, values: ['编码|名称'] });
    expect((await readAll(path, { encoding: 'gbk', delimiter: '|' }))[1]).toEqual({ line: 2, values: ['编码', '名称'] });
    expect((await failure(readAll(path, { delimiter: '||' }))).code).toBe('IMPORT_BAD_DELIMITER');
    expect((await failure(readAll(path, { encoding: 'latin1' as never }))).code).toBe('IMPORT_BAD_ENCODING');
  });

  it('decodes a character split across read chunks', async () => {
    // 64 KiB chunks: put a 3-byte character across the first boundary.
    const head = 'code,name\n' + 'C0,'.padEnd(64 * 1024 - 11, 'x') + '\n';
    const path = await tempFile('split.csv', `${head}C1,编码\n`);
    const records = await readAll(path, { limits: { maxCellChars: 70_000 } });
    expect(records[2]).toEqual({ line: 3, values: ['C1', '编码'] });
  });

  it('skips records whose cells are all empty and drops trailing empty cells', async () => {
    const path = await tempFile('blank.csv', 'a,b,,,\n,,,\n\n1,2,,\n');
    expect(await readAll(path)).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 4, values: ['1', '2'] },
    ]);
  });

  it('reports bytes read against the file size', async () => {
    const path = fixture('invoices-utf8-bom.csv');
    const calls: [number, number][] = [];
    await readAll(path, { onProgress: (read, total) => calls.push([read, total]) });
    const size = (await stat(path)).size;
    expect(calls.at(-1)).toEqual([size, size]);
  });

  it('fails on UTF-8 that turns invalid after the sample, naming the line', async () => {
    const ascii = Array.from({ length: 6000 }, (_, i) => `C${i},name${i}`).join('\n');
    const path = await tempFile('late-gbk.csv', Buffer.concat([Buffer.from(`code,name\n${ascii}\n`), iconv.encode('C9,华东\n', 'gbk')]));
    const error = await failure(readAll(path));
    expect(error.code).toBe('IMPORT_BAD_ENCODING');
    expect(error.message).toBe('near line 6002: the file is not valid UTF-8; save it as "CSV UTF-8", or import it with the encoding gb18030 if it is a GBK file');
  });

  it('fails on a quote never closed, naming the line where it opens', async () => {
    const path = await tempFile('open-quote.csv', 'a,b\n1,2\n3,"oops\n4,5\n');
    const error = await failure(readAll(path));
    expect(error.code).toBe('IMPORT_CSV_SYNTAX');
    expect(error.message).toBe('line 3: a quoted field opened here is never closed; add the closing quote (") or remove the opening one');
  });

  it('stops a runaway quoted field at the record size bound', async () => {
    const path = await tempFile('runaway.csv', `a,b\n1,"${'x'.repeat(500)}`);
    const error = await failure(readAll(path, { limits: { maxCellChars: 100, maxColumns: 3 } }));
    expect(error.kind).toBe('too_large');
    expect(error.code).toBe('IMPORT_RECORD_TOO_LONG');
    expect(error.message).toBe('line 2: the record is longer than 300 characters; is a quote (") left open?');
  });

  it('enforces the cell, column, row and file size limits', async () => {
    const longCell = await tempFile('long-cell.csv', `a,b\n1,${'x'.repeat(11)}\n`);
    expect((await failure(readAll(longCell, { limits: { maxCellChars: 10 } }))).message).toBe(
      'line 2: field 2 has 11 characters; at most 10 are accepted (is a quote left open?)',
    );

    const wide = await tempFile('wide.csv', 'a,b,c,d\n');
    const tooWide = await failure(readAll(wide, { limits: { maxColumns: 3 } }));
    expect(tooWide.code).toBe('IMPORT_TOO_MANY_COLUMNS');
    expect(tooWide.message).toBe('line 1: field 4 has a value but at most 3 columns are accepted; delete the extra columns');

    const rows = await tempFile('rows.csv', 'a\n1\n2\n3\n');
    expect(await readAll(rows, { limits: { maxRows: 3 } })).toHaveLength(4);
    const tooMany = await failure(readAll(rows, { limits: { maxRows: 2 } }));
    expect(tooMany.kind).toBe('too_large');
    expect(tooMany.message).toBe('line 4: the file has more than 2 rows after the header; split it into several files');

    const big = await failure(readAll(rows, { limits: { maxFileBytes: 5 } }));
    expect(big.code).toBe('IMPORT_FILE_TOO_LARGE');
    expect(big.message).toBe('the file has 8 bytes; at most 5 are accepted (split it into several files)');
  });

  it('names a missing file', async () => {
    const error = await failure(readAll(join(dir, 'nope.csv')));
    expect(error.code).toBe('IMPORT_FILE_NOT_FOUND');
  });

  it('closes the file when the reader stops early', async () => {
    for await (const record of readRecords(fixture('invoices-utf8-bom.csv'))) {
      expect(record.line).toBe(1);
      break;
    }
  });
});

describe('readRecords: XLSX', () => {
  let workbookPath: string;

  beforeAll(async () => {
    const workbook = new ExcelJS.Workbook();
    const notes = workbook.addWorksheet('说明');
    notes.state = 'hidden';
    notes.addRow(['this sheet is hidden']);
    const invoices = workbook.addWorksheet('发票');
    invoices.addRow(['发票号码', '客户编码', '开票日期', '价税合计', '备注']);
    invoices.addRow(['INV-1', 'C001', new Date(Date.UTC(2026, 2, 1)), 1234.5, { richText: [{ text: '首' }, { text: '批' }] }]);
    invoices.addRow(['INV-2', 1001, new Date(Date.UTC(2026, 1, 28)), { formula: 'B3*1.13', result: 113.00000000000001 }]);
    invoices.addRow([]);
    invoices.addRow(['INV-3', 'C002', '2026/3/5', 12345678901234567890]);
    invoices.getCell('C5').value = { formula: 'DATE(2026,3,9)', result: 46090 };
    invoices.getCell('C5').numFmt = 'yyyy-mm-dd';
    invoices.addRow(['INV-4', 'C003', '2026-03-09', 0.1, { formula: 'NA()', result: { error: '#N/A' } }]);
    const other = workbook.addWorksheet('Other');
    other.addRow(['code']);
    other.addRow(['X1']);
    workbookPath = join(dir, 'invoices.xlsx');
    await workbook.xlsx.writeFile(workbookPath);
  });

  it('reads the first visible sheet with row numbers as lines', async () => {
    expect(await readAll(workbookPath)).toEqual([
      { line: 1, values: ['发票号码', '客户编码', '开票日期', '价税合计', '备注'] },
      { line: 2, values: ['INV-1', 'C001', '2026-03-01', '1234.5', '首批'] },
      { line: 3, values: ['INV-2', '1001', '2026-02-28', '113'] },
      {
        line: 5,
        values: ['INV-3', 'C002', '2026-03-09', '12345678901234567000'],
        problems: [{ index: 3, message: 'the number has more than 15 digits, more than Excel keeps, so it is no longer the number typed; format the column as Text and type the value again' }],
      },
      {
        line: 6,
        values: ['INV-4', 'C003', '2026-03-09', '0.1', ''],
        problems: [{ index: 4, message: 'a formula whose result cannot be read (an Excel error such as #N/A, or never calculated); fix the formula or type the value' }],
      },
    ]);
  });

  it('reads a named sheet, and lists the sheets when the name is wrong', async () => {
    expect(await readAll(workbookPath, { sheet: 'Other' })).toEqual([
      { line: 1, values: ['code'] },
      { line: 2, values: ['X1'] },
    ]);
    const error = await failure(readAll(workbookPath, { sheet: 'Invoices' }));
    expect(error.code).toBe('IMPORT_SHEET_NOT_FOUND');
    expect(error.message).toBe('the workbook has no sheet "Invoices"; its sheets are: "说明", "发票", "Other"');
  });

  it('reads dates in the East Asian built-in formats (yyyy年m月d日) as dates', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(['date']);
    sheet.addRow([new Date(Date.UTC(2026, 2, 1))]);
    const plain = Buffer.from(await workbook.xlsx.writeBuffer());
    // exceljs gives a date the built-in format 14; rewrite it to built-in 31 (yyyy年m月d日), as Chinese Excel does.
    const zip = await JSZip.loadAsync(plain);
    const styles = await zip.file('xl/styles.xml')!.async('string');
    const rewritten = styles.replace('<xf numFmtId="14"', '<xf numFmtId="31"');
    expect(rewritten).not.toBe(styles);
    zip.file('xl/styles.xml', rewritten);
    // Stored in the order Excel uses: workbook first, shared strings after the sheets (so exceljs spools the sheet).
    const ordered = new JSZip();
    const order = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml',
      'xl/theme/theme1.xml', 'xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'docProps/app.xml', 'docProps/core.xml'];
    for (const name of order) ordered.file(name, await zip.file(name)!.async('nodebuffer'));
    const path = await tempFile('cjk-date.xlsx', await ordered.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    expect(await readAll(path)).toEqual([
      { line: 1, values: ['date'] },
      { line: 2, values: ['2026-03-01'] },
    ]);
  });

  it('reads a workbook whose sheet is stored before xl/workbook.xml', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Data').addRow(['code']);
    const zip = await JSZip.loadAsync(Buffer.from(await workbook.xlsx.writeBuffer()));
    const reordered = new JSZip();
    const order = ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml',
      'xl/worksheets/sheet1.xml', 'xl/styles.xml', 'xl/workbook.xml'];
    for (const name of order) reordered.file(name, await zip.file(name)!.async('nodebuffer'));
    const path = await tempFile('late-workbook.xlsx', await reordered.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    expect(await readAll(path)).toEqual([{ line: 1, values: ['code'] }]);
  });

  it('stops early without leaving work behind', async () => {
    for await (const record of readRecords(workbookPath)) {
      expect(record.line).toBe(1);
      break;
    }
  });

  // Retried: once, on a loaded CI machine, exceljs handed out the spooled sheets still named Sheet1..3 (their names
  // from xl/workbook.xml not yet attached), so the sheet asked for by name was "not found". Under investigation.
  it('leaves no temp file or descriptor behind when the sheets come before the shared strings', { retry: 2 }, async () => {
    // exceljs spools such sheets to `tmp` files. It used to be that a sheet we skipped had its file opened after (or
    // while) exceljs unlinked it: an open descriptor leaked, or now and then an uncaught ENOENT; and a reader stopped
    // early left the files behind until the process exited.
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('First').addRow(['first']);
    const middle = workbook.addWorksheet('Middle');
    middle.addRow(['code', 'name']);
    middle.addRow(['C001', '华东']);
    middle.addRow(['C002', '华南']);
    middle.getCell('XFD3').value = 'far away';
    workbook.addWorksheet('Last').addRow(['last']);
    const path = join(dir, 'spooled.xlsx');
    await workbook.xlsx.writeFile(path);
    const names = Object.keys((await JSZip.loadAsync(await readFile(path))).files);
    expect(names.indexOf('xl/worksheets/sheet3.xml')).toBeLessThan(names.indexOf('xl/sharedStrings.xml'));

    const tmp = await realpath(tmpdir());
    const ours = (name: string) => name.includes(`tmp-${process.pid}-`);
    const tempFiles = async () => (await readdir(tmp)).filter(ours);
    const tempDescriptors = async () => {
      if (process.platform !== 'linux') return [];
      const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return links.filter(ours);
    };
    const before = await tempFiles();
    // exceljs removes a temp file without waiting for the unlink, so the last one may take a moment to go.
    const expectClean = () =>
      vi.waitFor(async () => {
        expect((await tempFiles()).filter((name) => !before.includes(name))).toEqual([]);
        expect(await tempDescriptors()).toEqual([]);
      }, { timeout: 2_000, interval: 10 });

    // Read to the end, skipping the sheets before and after (a few times: the old ENOENT was one skipped sheet in a
    // hundred or so; the descriptors left open showed on every read).
    for (let i = 0; i < 5; i++) {
      expect(await readAll(path, { sheet: 'First' })).toEqual([{ line: 1, values: ['first'] }]);
      await expectClean();
    }
    // Every sheet skipped.
    expect((await failure(readAll(path, { sheet: 'None' }))).code).toBe('IMPORT_SHEET_NOT_FOUND');
    await expectClean();
    // Stopped by the consumer in the middle sheet, and by a refused row of it.
    for await (const record of readRecords(path, { sheet: 'Middle' })) {
      expect(record.line).toBe(1);
      break;
    }
    await expectClean();
    const error = await failure(readAll(path, { sheet: 'Middle' }));
    expect(error.code).toBe('IMPORT_TOO_MANY_COLUMNS');
    await expectClean();
  });

  it('bounds the columns', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(['a']);
    sheet.getCell('XFD2').value = 'far away';
    const path = join(dir, 'wide.xlsx');
    await workbook.xlsx.writeFile(path);
    const error = await failure(readAll(path));
    expect(error.message).toBe('line 2: cell XFD2 has a value but at most 100 columns are accepted; delete the extra columns');
  });

  it('reports a broken workbook', async () => {
    const path = await tempFile('broken.xlsx', Buffer.from('PK\x03\x04 not really a zip', 'latin1'));
    const error = await failure(readAll(path));
    expect(error.code).toBe('IMPORT_BAD_XLSX');
  });
});

describe('cell values', () => {
  it('writes numbers as plain decimals without float noise', () => {
    expect(numberText(1234.5)).toEqual({ text: '1234.5' });
    expect(numberText(0.1 + 0.2)).toEqual({ text: '0.3' });
    expect(numberText(113.00000000000001)).toEqual({ text: '113' });
    expect(numberText(1e-7)).toEqual({ text: '0.0000001' });
    expect(numberText(-42)).toEqual({ text: '-42' });
    expect(numberText(-0)).toEqual({ text: '0' });
    expect(numberText(123456789012345)).toEqual({ text: '123456789012345' });
    expect(numberText(1e15).problem).toMatch(/more than 15 digits/);
  });

  it('reads strings, booleans, dates, rich text and formula results', () => {
    expect(cellText('x', undefined)).toEqual({ text: 'x' });
    expect(cellText(true, undefined)).toEqual({ text: 'TRUE' });
    expect(cellText(new Date(Date.UTC(2026, 11, 31, 23, 59)), undefined)).toEqual({ text: '2026-12-31' });
    expect(cellText(46082, 'yyyy"年"m"月"d"日"')).toEqual({ text: '2026-03-01' });
    expect(cellText(46082, '0.00')).toEqual({ text: '46082' });
    expect(cellText(0, 'yyyy-mm-dd', true)).toEqual({ text: '1904-01-01' });
    expect(cellText({ richText: [{ text: 'a' }, { text: 'b' }] }, undefined)).toEqual({ text: 'ab' });
    expect(cellText({ sharedFormula: 'D2', result: 'INV-9' }, undefined)).toEqual({ text: 'INV-9' });
    expect(cellText({ error: '#REF!' }, undefined).problem).toMatch(/#REF!/);
  });

  it('names columns like Excel', () => {
    expect([1, 26, 27, 52, 16384].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AZ', 'XFD']);
  });
});
