/**
 * Reads an import file (CSV or XLSX) as a stream of records with bounded memory. Each record keeps the position the
 * user sees: the physical line of a CSV file where the record starts, or the row number of an XLSX sheet, so every
 * later error can name it. This layer knows nothing about columns or kinds: it only decodes, splits and bounds.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Parser as CsvParser, type CsvError } from 'csv-parse';
// exceljs is loaded only for a workbook (readXlsx): a CSV import does not pay its start-up time and memory.
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { AppError, invalid, tooLarge } from '../../domain/errors.ts';

export type FileFormat = 'csv' | 'xlsx';
/** 'gb18030' also reads GBK and GB2312 files: it is a superset of both. */
export type TextEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';
export type Delimiter = ',' | ';' | '\t';

export interface ReadLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** Most records after the header. */
  maxRows: number;
  /** Longest cell, in characters. */
  maxCellChars: number;
  /** Most columns (counted up to the last non-empty cell of a record). */
  maxColumns: number;
}

export const DEFAULT_LIMITS: Readonly<ReadLimits> = {
  maxFileBytes: 2 * 1024 ** 3,
  maxRows: 5_000_000,
  maxCellChars: 4_000,
  maxColumns: 100,
};

export interface ReadOptions {
  /** Force the format instead of detecting it from the content. */
  format?: FileFormat;
  /** CSV only: force the text encoding instead of detecting it ('gbk' and 'gb2312' are read as gb18030). */
  encoding?: TextEncoding | 'gbk' | 'gb2312' | 'utf8' | 'auto';
  /** CSV only: force the delimiter (one character, e.g. "|") instead of sniffing it from the header line. */
  delimiter?: string;
  /** XLSX only: the sheet to read; the first visible sheet by default. */
  sheet?: string;
  limits?: Partial<ReadLimits>;
  /** Called as the file is read: bytes read so far and the file's size (for a progress bar). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** A problem found while reading one cell (XLSX only), reported later only if the cell's column is used. */
export interface CellProblem {
  /** 0-based index into `values`. */
  index: number;
  message: string;
}

export interface SourceRecord {
  /** CSV: 1-based physical line where the record starts (the header is line 1). XLSX: the sheet's row number. */
  line: number;
  values: string[];
  problems?: CellProblem[];
}

const SAMPLE_BYTES = 64 * 1024;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** 'xlsx' when the file starts like a ZIP archive (every .xlsx is one), else 'csv'. */
export async function detectFormat(path: string): Promise<FileFormat> {
  const sample = await readSample(path, 4);
  return sample.length >= 4 && sample.subarray(0, 4).equals(ZIP_MAGIC) ? 'xlsx' : 'csv';
}

async function readSample(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Detects a CSV file's encoding from its first bytes: a BOM decides; otherwise valid UTF-8 is UTF-8 and anything
 * else is taken as GB18030 (what Chinese Excel and most Chinese ERPs export as "CSV").
 */
export function detectEncoding(sample: Uint8Array): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  try {
    // stream: true keeps a multi-byte character cut by the end of the sample from counting as invalid.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

/** Picks the delimiter that occurs most often (outside quotes) in the header line; comma on a tie or none. */
export function sniffDelimiter(headerLine: string): Delimiter {
  const counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch] += 1;
  }
  let best: Delimiter = ',';
  for (const d of [';', '\t'] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

function normalizeEncoding(encoding: ReadOptions['encoding']): TextEncoding | undefined {
  switch (encoding) {
    case undefined:
    case 'auto':
      return undefined;
    case 'utf8':
    case 'utf-8':
      return 'utf-8';
    case 'gbk':
    case 'gb2312':
    case 'gb18030':
      return 'gb18030';
    case 'utf-16le':
    case 'utf-16be':
      return encoding;
    default:
      throw invalid('IMPORT_BAD_ENCODING', `unknown encoding "${String(encoding)}"; use utf-8, gb18030 (also reads GBK) or utf-16le`);
  }
}

/**
 * Streams the records of a CSV or XLSX file, header included, skipping records whose cells are all empty. Throws an
 * AppError (invalid / too_large) naming the line and the limit when the file cannot be read within the bounds.
 */
export async function* readRecords(path: string, options: ReadOptions = {}): AsyncGenerator<SourceRecord> {
  const limits: ReadLimits = { ...DEFAULT_LIMITS, ...options.limits };
  let totalBytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw invalid('IMPORT_NOT_A_FILE', `${path} is not a file`);
    totalBytes = info.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalid('IMPORT_FILE_NOT_FOUND', `cannot read ${path}: ${(error as Error).message}`);
  }
  if (totalBytes > limits.maxFileBytes) {
    throw tooLarge('IMPORT_FILE_TOO_LARGE', `the file has ${totalBytes} bytes; at most ${limits.maxFileBytes} are accepted (split it into several files)`);
  }
  const format = options.format ?? (await detectFormat(path));
  const source = format === 'xlsx' ? readXlsx(path, options, limits, totalBytes) : readCsv(path, options, limits, totalBytes);
  let rows = -1; // the first non-blank record is the header
  for await (const record of source) {
    checkRecord(record, limits, format);
    if (record.values.length === 0) continue;
    rows += 1;
    if (rows > limits.maxRows) {
      throw tooLarge('IMPORT_TOO_MANY_ROWS', `line ${record.line}: the file has more than ${limits.maxRows} rows after the header; split it into several files`, [
        { line: record.line, message: `more than ${limits.maxRows} rows` },
      ]);
    }
    yield record;
  }
}

/** Drops trailing empty cells (so a blank record has no values) and enforces the cell and column limits. */
function checkRecord(record: SourceRecord, limits: ReadLimits, format: FileFormat): void {
  const values = record.values;
  const flagged = new Set((record.problems ?? []).map((p) => p.index));
  let end = values.length;
  while (end > 0 && values[end - 1]!.trim() === '' && !flagged.has(end - 1)) end -= 1;
  values.length = end;
  if (end > limits.maxColumns) {
    const where = format === 'xlsx' ? `column ${columnLetters(end)}` : `field ${end}`;
    throw invalid('IMPORT_TOO_MANY_COLUMNS', `line ${record.line}: ${where} has a value but at most ${limits.maxColumns} columns are accepted; delete the extra columns`, [
      { line: record.line, message: `more than ${limits.maxColumns} columns` },
    ]);
  }
  for (let i = 0; i < end; i++) {
    const length = values[i]!.length;
    if (length > limits.maxCellChars) {
      const where = format === 'xlsx' ? `cell ${columnLetters(i + 1)}${record.line}` : `field ${i + 1}`;
      throw tooLarge('IMPORT_CELL_TOO_LONG', `line ${record.line}: ${where} has ${length} characters; at most ${limits.maxCellChars} are accepted (is a quote left open?)`, [
        { line: record.line, message: `a cell longer than ${limits.maxCellChars} characters` },
      ]);
    }
  }
  if (record.problems) record.problems = record.problems.filter((p) => p.index < end);
}

/** 1 → A, 27 → AA: how Excel names a column. */
export function columnLetters(column: number): string {
  let s = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

async function* readCsv(path: string, options: ReadOptions, limits: ReadLimits, totalBytes: number): AsyncGenerator<SourceRecord> {
  const sample = await readSample(path, SAMPLE_BYTES);
  const encoding = normalizeEncoding(options.encoding) ?? detectEncoding(sample);
  const delimiter = options.delimiter ?? sniffDelimiter(firstLine(decodeSample(sample, encoding)));
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    throw invalid('IMPORT_BAD_DELIMITER', `"${delimiter}" cannot separate columns; use one character such as , ; | or a tab`);
  }

  // csv-parse's synchronous core (what its stream and sync APIs both wrap): fed chunk by chunk, it hands back the
  // records of each chunk, and a syntax error after them, so every record before an error is still yielded and the
  // error names the right line.
  const csv = (new CsvParser({
    delimiter,
    // All three line ends, so a file pieced together from several systems still splits into its lines.
    record_delimiter: ['\r\n', '\n', '\r'],
    raw: true,
    relax_quotes: true,
    relax_column_count: true,
    // An unclosed quote would otherwise swallow the rest of the file into one record.
    max_record_size: limits.maxCellChars * limits.maxColumns,
  }) as unknown as { api: CsvCore }).api;

  let line = 1;
  let lastEndedWithCr = false;
  const parsed: { record: string[]; raw: string }[] = [];
  const push = (chunk: { record: string[]; raw: string }) => {
    parsed.push(chunk);
  };
  const feed = (buffer: Buffer | undefined): unknown => csv.parse(buffer, buffer === undefined, push, () => {});
  const chunks = decodeFile(path, encoding, totalBytes, options.onProgress);
  try {
    for (let done = false; !done; ) {
      const next = await chunks.next();
      done = next.done === true;
      const error = feed(done ? undefined : Buffer.from(next.value as string, 'utf8'));
      for (const { record, raw } of parsed.splice(0)) {
        // The raw text holds the record and its terminator (csv-parse keeps only the "\r" of a "\r\n"); counting
        // its line breaks gives the next record's line, quoted multi-line fields included.
        const breaks = countLineBreaks(raw, lastEndedWithCr && raw.startsWith('\n') ? 1 : 0);
        lastEndedWithCr = raw.endsWith('\r');
        yield { line, values: record };
        line += breaks;
      }
      if (error !== undefined) throw csvFailure(error, line, limits);
    }
  } finally {
    // Closes the file when the consumer stops early or an error ends the read.
    await chunks.return(undefined);
  }
}

/** The part of csv-parse's internal parser used here; `parse` returns the error that stopped it, if any. */
interface CsvCore {
  parse(
    buffer: Buffer | undefined,
    end: boolean,
    push: (chunk: { record: string[]; raw: string }) => void,
    close: () => void,
  ): unknown;
}

function countLineBreaks(text: string, from: number): number {
  let count = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) count += 1;
    else if (c === 13) {
      count += 1;
      if (text.charCodeAt(i + 1) === 10) i += 1;
    }
  }
  return count;
}

function csvFailure(error: unknown, line: number, limits: ReadLimits): unknown {
  if (error instanceof AppError) return error;
  const csv = error as Partial<CsvError> & Error;
  switch (csv.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return tooLarge('IMPORT_RECORD_TOO_LONG', `line ${line}: the record is longer than ${limits.maxCellChars * limits.maxColumns} characters; is a quote (") left open?`, [
        { line, message: 'record too long (unclosed quote?)' },
      ]);
    case 'CSV_QUOTE_NOT_CLOSED':
      return invalid('IMPORT_CSV_SYNTAX', `line ${line}: a quoted field opened here is never closed; add the closing quote (") or remove the opening one`, [
        { line, message: 'quote not closed' },
      ]);
    case undefined:
      return error;
    default:
      return invalid('IMPORT_CSV_SYNTAX', `line ${line}: the CSV cannot be read (${csv.message}); check the quotes (") on this line`, [
        { line, message: csv.message },
      ]);
  }
}

function decodeSample(sample: Buffer, encoding: TextEncoding): string {
  if (encoding === 'utf-8') return new TextDecoder('utf-8').decode(sample);
  return iconv.decode(sample, encoding);
}

function firstLine(text: string): string {
  const text2 = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const end = text2.search(/[\r\n]/);
  return end === -1 ? text2 : text2.slice(0, end);
}

/** The file's text in chunks, the BOM removed. A UTF-8 file with an invalid byte fails, naming the line. */
async function* decodeFile(
  path: string,
  encoding: TextEncoding,
  totalBytes: number,
  onProgress: ReadOptions['onProgress'],
): AsyncGenerator<string> {
  const decode: { write(chunk: Buffer): string; end(): string } =
    encoding === 'utf-8' ? utf8Decoder() : iconvDecoder(encoding);
  let bytesRead = 0;
  let lines = 1;
  let first = true;
  const stream = createReadStream(path, { highWaterMark: SAMPLE_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      let text: string;
      try {
        text = decode.write(chunk);
      } catch {
        throw notUtf8(lines + linesBeforeBadByte(chunk));
      }
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      lines += countNewlines(text);
      onProgress?.(bytesRead, totalBytes);
      if (text.length > 0) yield text;
    }
    let rest: string;
    try {
      rest = decode.end();
    } catch {
      throw notUtf8(lines);
    }
    if (rest.length > 0) yield rest;
  } finally {
    stream.destroy();
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}

/** Line breaks in `chunk` before its first byte that is not UTF-8 (to name the line of an encoding error). */
function linesBeforeBadByte(chunk: Buffer): number {
  const text = new TextDecoder('utf-8').decode(chunk);
  const bad = text.indexOf('\ufffd');
  return countNewlines(bad === -1 ? text : text.slice(0, bad));
}

function notUtf8(line: number): AppError {
  return invalid('IMPORT_BAD_ENCODING', `near line ${line}: the file is not valid UTF-8; save it as "CSV UTF-8", or import it with the encoding gb18030 if it is a GBK file`, [
    { line, message: 'not valid UTF-8' },
  ]);
}

function utf8Decoder() {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return {
    write: (chunk: Buffer) => decoder.decode(chunk, { stream: true }),
    end: () => decoder.decode(),
  };
}

function iconvDecoder(encoding: TextEncoding) {
  const decoder = iconv.getDecoder(encoding, { stripBOM: true });
  return {
    write: (chunk: Buffer) => decoder.write(chunk),
    end: () => decoder.end() ?? '',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// XLSX

/** The parts of exceljs' streaming reader we use (its typings describe the in-memory workbook). */
interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  name: string;
  /**
   * Where the sheet's XML comes from: the zip entry itself, or, for a sheet stored before xl/sharedStrings.xml
   * (Excel's own order), a read stream on the temporary file exceljs spooled it to.
   */
  iterator?: unknown;
}
interface StreamingWorkbook extends AsyncIterable<SheetReader> {
  model?: { sheets?: { name: string; state?: string }[] };
  properties?: { model?: { date1904?: boolean } };
  styles?: {
    model?: { styles?: ({ numFmtId?: number | string } | undefined)[] };
    getStyleModel(id: number): { numFmt?: string } | null | undefined;
  };
}

async function* readXlsx(path: string, options: ReadOptions, limits: ReadLimits, totalBytes: number): AsyncGenerator<SourceRecord> {
  // Loaded before the stream opens: once the progress listener is on, the stream flows, and no chunk may pass
  // before the workbook reader listens too.
  const { default: excel } = await import('exceljs');
  const file = createReadStream(path);
  let bytesRead = 0;
  file.on('data', (chunk) => {
    bytesRead += chunk.length;
    options.onProgress?.(bytesRead, totalBytes);
  });
  // styles: 'cache' is what tells a date cell from a number cell (by its number format).
  const workbook = new excel.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  }) as unknown as StreamingWorkbook;
  // exceljs reads a sheet stored before xl/workbook.xml as soon as it meets it, and looks up its name in a model
  // that does not exist yet; an empty one keeps it going (the sheet is then named by its file, "Sheet1").
  workbook.model ??= { sheets: [] };
  const seen: string[] = [];
  let found = false;
  // Iterated by hand rather than with for-await: a stop must not simply return() exceljs's generator (see finally).
  const sheets = workbook[Symbol.asyncIterator]();
  let done = false;
  let current: SheetReader | undefined;
  try {
    for (;;) {
      const next = await sheets.next();
      if (next.done) break;
      current = next.value;
      seen.push(current.name);
      const wanted = options.sheet ?? firstVisibleSheet(workbook) ?? current.name;
      if (found || current.name !== wanted) {
        await releaseSpool(current);
        continue;
      }
      found = true;
      readCjkDateFormats(workbook);
      const date1904 = workbook.properties?.model?.date1904 === true;
      for await (const row of current) yield xlsxRecord(row, limits, date1904);
    }
    done = true;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalid('IMPORT_BAD_XLSX', `the file cannot be read as an Excel workbook (${(error as Error).message}); open it in Excel and save it again as .xlsx`);
  } finally {
    if (!done) await stopWorkbook(sheets, current);
    file.destroy();
  }
  if (!found) {
    throw invalid('IMPORT_SHEET_NOT_FOUND', options.sheet === undefined
      ? 'the workbook has no worksheet'
      : `the workbook has no sheet "${options.sheet}"; its sheets are: ${seen.map((s) => `"${s}"`).join(', ')}`);
  }
}

/**
 * A sheet stored before xl/sharedStrings.xml (the order Excel writes) cannot be parsed when the zip reaches it, so
 * exceljs copies it to a `tmp` file and, once the zip is read, hands out the spooled sheets one by one: for each it
 * opens a read stream (with no 'error' listener) and, as soon as the consumer asks for the next sheet, closes its own
 * descriptor and unlinks the file. A sheet we skip is never read, so its stream's open races that unlink: usually it
 * wins and the descriptor leaks; now and then the unlink wins and the open fails with an uncaught ENOENT. This takes
 * the stream over before exceljs moves on: it is closed and, only once its open has settled, the next sheet asked for.
 */
async function releaseSpool(sheet: SheetReader): Promise<void> {
  const stream = sheet.iterator;
  if (!(stream instanceof Readable)) return; // read straight from the zip entry: exceljs drains the entry itself
  await new Promise<void>((resolve) => {
    stream.on('error', () => {}); // an open or read that fails now concerns nobody
    if (stream.closed) return resolve();
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

/**
 * After an early stop (the consumer stopped, or a row was refused): when the sheet being read was a spooled one,
 * exceljs has read the whole zip and what is left is spooled sheets, so they are walked through without being read;
 * exceljs then removes each temp file (the current one included) and closes its descriptors. A return() instead
 * would leave them all, and their descriptors, until the process exits. Otherwise exceljs is still reading the zip
 * and return() stops it: no spooled sheet has been opened yet and none will be, so nothing can race (a sheet spooled
 * before the shared strings of a workbook that has sheets on both sides of them stays in its file until tmp removes
 * it at exit; walking on would mean reading the rest of a possibly large file).
 */
async function stopWorkbook(sheets: AsyncIterator<SheetReader>, current: SheetReader | undefined): Promise<void> {
  try {
    if (current !== undefined && current.iterator instanceof Readable) {
      await releaseSpool(current);
      for (let next = await sheets.next(); !next.done; next = await sheets.next()) await releaseSpool(next.value);
    } else {
      await sheets.return?.();
    }
  } catch {
    // Clean-up only: the error (or the stop) that brought us here is what the caller sees.
  }
}

/**
 * exceljs knows the built-in number formats 14-22 and 45-47 but not the East Asian built-in ones (27-36, 50-58:
 * "yyyy年m月d日", "m月d日"…), which Chinese Excel uses for dates; without this their date cells would read as serial
 * numbers. The sheet reader looks styles up through `getStyleModel` when its rows are read, so this wraps it.
 */
function readCjkDateFormats(workbook: StreamingWorkbook): void {
  const styles = workbook.styles;
  if (!styles || typeof styles.getStyleModel !== 'function') return;
  const lookUp = styles.getStyleModel.bind(styles);
  styles.getStyleModel = (id: number) => {
    const model = lookUp(id);
    const numFmtId = Number(styles.model?.styles?.[id]?.numFmtId);
    if (model && model.numFmt === undefined && ((numFmtId >= 27 && numFmtId <= 36) || (numFmtId >= 50 && numFmtId <= 58))) {
      model.numFmt = 'yyyy-mm-dd';
    }
    return model;
  };
}

function firstVisibleSheet(workbook: StreamingWorkbook): string | undefined {
  return workbook.model?.sheets?.find((s) => s.state !== 'hidden' && s.state !== 'veryHidden')?.name;
}

function xlsxRecord(row: ExcelJS.Row, limits: ReadLimits, date1904: boolean): SourceRecord {
  const values: string[] = [];
  const problems: CellProblem[] = [];
  let overflow = 0;
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    const { text, problem } = cellText(cell.value, cell.numFmt, date1904);
    if (column > limits.maxColumns) {
      // Not stored: a stray value in column XFD must not make us build a 16,384-cell row.
      if (overflow === 0 && text.trim() !== '') overflow = column;
      return;
    }
    while (values.length < column - 1) values.push('');
    values[column - 1] = text;
    if (problem) problems.push({ index: column - 1, message: problem });
  });
  if (overflow > 0) {
    throw invalid('IMPORT_TOO_MANY_COLUMNS', `line ${row.number}: cell ${columnLetters(overflow)}${row.number} has a value but at most ${limits.maxColumns} columns are accepted; delete the extra columns`, [
      { line: row.number, message: `more than ${limits.maxColumns} columns` },
    ]);
  }
  return problems.length > 0 ? { line: row.number, values, problems } : { line: row.number, values };
}

interface CellText {
  text: string;
  problem?: string;
}

/** One cell's value as the text a user would see, or a problem when that text cannot be trusted. */
export function cellText(value: unknown, numFmt: string | undefined, date1904 = false): CellText {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number') {
    if (isDateFormat(numFmt)) return { text: excelSerialToDate(value, date1904) };
    return numberText(value);
  }
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) return { text: utcDate(value) };
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return { text: (v.richText as { text?: string }[]).map((r) => r.text ?? '').join('') };
    if ('formula' in v || 'sharedFormula' in v || 'result' in v) {
      if (v.result === undefined || (typeof v.result === 'number' && Number.isNaN(v.result))) {
        return { text: '', problem: 'a formula whose result cannot be read (an Excel error such as #N/A, or never calculated); fix the formula or type the value' };
      }
      return cellText(v.result, numFmt, date1904);
    }
    if (typeof v.error === 'string') return { text: v.error, problem: `the cell shows the Excel error ${v.error}; fix the formula or type the value` };
    if (typeof v.text === 'string') return { text: v.text };
  }
  return { text: String(value), problem: 'a cell value arflow cannot read; type it as plain text' };
}

/** exceljs' own rule: a number format with date letters outside quotes and brackets is a date format. */
function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  const stripped = numFmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
  return /[ymdhMsb]+/.test(stripped);
}

function excelSerialToDate(serial: number, date1904: boolean): string {
  return utcDate(new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000)));
}

/** exceljs gives a date cell as the instant of midnight UTC of that date: its UTC parts are the date. */
function utcDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const y = date.getUTCFullYear();
  return `${String(y).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

/** Excel keeps 15 significant digits; anything past them is binary floating-point noise. */
const EXCEL_DIGITS = 15;

/**
 * A number cell as a plain decimal string ("1234.5", never "1.2345e3"). Formula results like 113.00000000000001 are
 * read as Excel shows them, at 15 significant digits. A number of 16 or more integer digits is flagged: Excel has
 * already cut it to 15 digits (a long invoice number typed as a number), so the value is not what was typed.
 */
export function numberText(value: number): CellText {
  if (!Number.isFinite(value)) return { text: String(value), problem: 'not a finite number' };
  if (Object.is(value, -0) || value === 0) return { text: '0' };
  if (Math.abs(value) >= 10 ** EXCEL_DIGITS) {
    return {
      text: plainDecimal(value.toExponential()),
      problem: `the number has more than ${EXCEL_DIGITS} digits, more than Excel keeps, so it is no longer the number typed; format the column as Text and type the value again`,
    };
  }
  let exponential = value.toExponential();
  const significant = exponential.replace(/e.*$/, '').replace(/[-.]/g, '').length;
  if (significant > EXCEL_DIGITS) exponential = value.toExponential(EXCEL_DIGITS - 1);
  return { text: plainDecimal(exponential) };
}

/** "-1.2345e+3" → "-1234.5"; "1.5e-7" → "0.00000015". */
function plainDecimal(exponential: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exponential);
  if (!m) return exponential;
  const [, sign, head, tail = '', exp] = m;
  const digits = (head! + tail).replace(/0+$/, '') || '0';
  const point = 1 + Number(exp); // digits before the decimal point
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) text = digits + '0'.repeat(point - digits.length);
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}${text}`;
}
