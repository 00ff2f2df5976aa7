/**
 * The aging report as a file: CSV (one header line, one line per row, a total line; amounts as decimal text) and
 * XLSX (the same table with amounts as numbers formatted to the currency's decimals, frozen header, the report's
 * settings above it). XLSX is written on the server with exceljs (loaded only when asked for: it is heavy), for the
 * CLI and for the web page, which downloads GET /api/v1/reports/aging?format=xlsx.
 */
import type ExcelJS from 'exceljs';
import { csvCell } from '../../domain/csv.ts';
import { currencyScale } from '../../domain/money.ts';
import type { AgingReport } from './index.ts';

/** Column headers and cells of the report's table, the total last. */
function tableOf(report: AgingReport): { headers: string[]; rows: string[][] } {
  const keys = report.buckets.slice(1).map((b) => b.key);
  const headers = [report.by, 'name', 'current', ...keys, 'outstanding', 'unapplied', 'net'];
  const rows = [
    ...report.rows.map((r) => [r.key, r.name, r.current, ...keys.map((k) => r.buckets[k]!), r.outstanding, r.unapplied, r.net]),
    ['total', '', report.totals.current, ...keys.map((k) => report.totals.buckets[k]!), report.totals.outstanding, report.totals.unapplied, report.totals.net],
  ];
  return { headers, rows };
}

/** One line describing the report: as-of date, basis, currency, and the rates of a converted one. */
export function agingTitle(report: AgingReport): string {
  const rates = report.rates.map((r) => `${r.currency} ${r.rate} (${r.date})`).join(', ');
  return `aging as of ${report.asOf} by ${report.basis === 'due' ? 'due date' : 'document date'}, ${report.currency}${report.converted ? `, converted at the as-of rates${rates ? `: ${rates}` : ''}` : ''}, per ${report.by}`;
}

export function agingCsv(report: AgingReport): string {
  const { headers, rows } = tableOf(report);
  return [headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export async function agingXlsx(report: AgingReport): Promise<Buffer> {
  const { default: Excel } = (await import('exceljs')) as { default: typeof ExcelJS };
  const workbook = new Excel.Workbook();
  workbook.creator = 'arflow';
  const sheet = workbook.addWorksheet(`aging ${report.asOf}`);
  sheet.addRow([agingTitle(report)]);
  sheet.addRow([]);
  const { headers, rows } = tableOf(report);
  const header = sheet.addRow(headers);
  header.font = { bold: true };
  const scale = currencyScale(report.currency);
  const numberFormat = scale === 0 ? '#,##0' : `#,##0.${'0'.repeat(scale)}`;
  for (const cells of rows) {
    // Amounts as numbers so a spreadsheet adds them up; a decimal string of at most 17 digits is exact enough for
    // display, and the text stays the source of truth in CSV and JSON.
    const row = sheet.addRow(cells.map((c, i) => (i < 2 ? c : Number(c))));
    for (let i = 3; i <= cells.length; i++) row.getCell(i).numFmt = numberFormat;
  }
  sheet.lastRow!.font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 3, xSplit: 2 }];
  sheet.columns.forEach((column, i) => { column.width = i === 1 ? 36 : 14; });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
