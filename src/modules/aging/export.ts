/**
 * The aging report as a file, every row, written as it is read (the rows come in batches from a cursor, so an
 * 80,000-row report is never held whole): CSV (one header line, one line per row, a total line; amounts as decimal
 * text) and XLSX (the same table with amounts as numbers formatted to the currency's decimals, frozen header, the
 * report's settings above it). XLSX is written on the server with exceljs' streaming writer (loaded only when asked
 * for: it is heavy), for the CLI and for the web page, which downloads GET /api/v1/reports/aging?format=xlsx.
 */
import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { csvCell } from '../../domain/csv.ts';
import { currencyScale } from '../../domain/money.ts';
import type { AgingReport, AgingReportRow, agingRowBatches } from './index.ts';

/** What a file says about its report above and beside the rows: the settings, and the rates a converted one used. */
export type AgingHead = Pick<AgingReport, 'asOf' | 'basis' | 'by' | 'currency' | 'converted' | 'rates' | 'buckets'>;
type Rows = ReturnType<typeof agingRowBatches>;
type Figures = Omit<AgingReportRow, 'key' | 'name'>;

function headersOf(head: AgingHead): { headers: string[]; keys: string[] } {
  const keys = head.buckets.slice(1).map((b) => b.key);
  return { headers: [head.by, 'name', 'current', ...keys, 'outstanding', 'unapplied', 'net'], keys };
}

const cellsOf = (keys: string[], key: string, name: string, f: Figures) => [key, name, f.current, ...keys.map((k) => f.buckets[k]!), f.outstanding, f.unapplied, f.net];

/** One line describing the report: as-of date, basis, currency, and the rates of a converted one. */
export function agingTitle(report: AgingHead): string {
  const rates = report.rates.map((r) => `${r.currency} ${r.rate} (${r.date})`).join(', ');
  return `aging as of ${report.asOf} by ${report.basis === 'due' ? 'due date' : 'document date'}, ${report.currency}${report.converted ? `, converted at the as-of rates${rates ? `: ${rates}` : ''}` : ''}, per ${report.by}`;
}

/** Fails when `out` is gone (the download was cut): the transaction reading the rows must end, not wait for ever. */
function gone(out: Writable): Error | null {
  return out.destroyed ? new Error('aging export: the output was closed before the last row') : null;
}

/** Resolves on `event`, rejects when `out` closes first. */
function until(out: Writable, event: 'drain' | 'finish'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => { out.off('close', closed); resolve(); };
    const closed = () => { out.off(event, done); reject(gone(out) ?? new Error('aging export: the output was closed')); };
    out.once(event, done);
    out.once('close', closed);
  });
}

/** Writes, waiting while the reader is behind (a slow download holds the cursor, not the memory). */
async function put(out: Writable, chunk: string): Promise<void> {
  const error = gone(out);
  if (error) throw error;
  if (!out.write(chunk)) await until(out, 'drain');
}

/** The CSV, every row then the total line (summed from the rows written), to `out`, which it ends; returns the row count. */
export async function writeAgingCsv(head: AgingHead, read: Rows, out: Writable, bom = false): Promise<number> {
  const { headers, keys } = headersOf(head);
  const line = (cells: string[]) => `${cells.map(csvCell).join(',')}\n`;
  await put(out, `${bom ? '\uFEFF' : ''}${line(headers)}`);
  let count = 0;
  for await (const batch of read.batches) {
    count += batch.length;
    await put(out, batch.map((r) => line(cellsOf(keys, r.key, r.name, r))).join(''));
  }
  await put(out, line(cellsOf(keys, 'total', '', read.summary().totals)));
  out.end();
  return count;
}

/** The XLSX, every row then the total line, streamed to `out` (which it ends); returns the row count. */
export async function writeAgingXlsx(head: AgingHead, read: Rows, out: Writable): Promise<number> {
  const { default: Excel } = (await import('exceljs')) as { default: typeof ExcelJS };
  const workbook = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'arflow';
  const sheet = workbook.addWorksheet(`aging ${head.asOf}`, { views: [{ state: 'frozen', ySplit: 3, xSplit: 2 }] });
  const { headers, keys } = headersOf(head);
  sheet.columns = headers.map((_h, i) => ({ width: i === 1 ? 36 : 14 }));
  sheet.addRow([agingTitle(head)]).commit();
  sheet.addRow([]).commit();
  const header = sheet.addRow(headers);
  header.font = { bold: true };
  header.commit();
  const scale = currencyScale(head.currency);
  const numberFormat = scale === 0 ? '#,##0' : `#,##0.${'0'.repeat(scale)}`;
  const add = (cells: string[], bold: boolean) => {
    // Amounts as numbers so a spreadsheet adds them up; a decimal string of at most 17 digits is exact enough for
    // display, and the text stays the source of truth in CSV and JSON.
    const row = sheet.addRow(cells.map((c, i) => (i < 2 ? c : Number(c))));
    for (let i = 3; i <= cells.length; i++) row.getCell(i).numFmt = numberFormat;
    if (bold) row.font = { bold: true };
    row.commit();
  };
  let count = 0;
  for await (const batch of read.batches) {
    const error = gone(out);
    if (error) throw error;
    count += batch.length;
    for (const r of batch) add(cellsOf(keys, r.key, r.name, r), false);
  }
  add(cellsOf(keys, 'total', '', read.summary().totals), true);
  sheet.commit();
  const finished = until(out, 'finish');
  await Promise.all([workbook.commit(), finished]);
  return count;
}
