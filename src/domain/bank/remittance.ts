/**
 * Remittance advices (付款通知/汇款明细): a customer's list of the invoices a payment covers, as CSV or XLSX rows of
 * invoice number and amount paid (optionally currency, discount or deduction, payment reference, date). The header
 * row is found by its names in English or Chinese, so no profile is needed. Pure: rows in, lines out; amounts exact.
 */
import { parse } from 'csv-parse/sync';
import type { LocalDate } from '../dates.ts';
import { bankCurrency, checkedDate, clean, decimalToMinor, decodeText, malformed } from './statement.ts';

export interface RemittanceLine {
  line: number;
  invoiceNumber: string;
  /** Paid, in minor units of `currency` (positive; a credit note taken off is negative). */
  amountMinor: bigint;
  currency: string;
  /** Discount or deduction the customer took on this invoice, minor units (0 when none). */
  deductionMinor: bigint;
  reference: string | null;
  paymentDate: LocalDate | null;
}

export interface RemittanceAdvice {
  lines: RemittanceLine[];
  totalMinor: bigint;
  currency: string;
}

export const MAX_REMITTANCE_LINES = 50_000;

const HEADERS: Record<'invoice' | 'amount' | 'currency' | 'deduction' | 'reference' | 'date', RegExp> = {
  invoice: /^(invoice( ?(no|number|#|ref(erence)?))?|inv( ?no)?|document( ?number)?|发票号(码)?|发票|单据号|invoice no\.)$/i,
  amount: /^(amount( ?paid)?|paid( ?amount)?|payment( ?amount)?|net( ?amount)?|付款金额|金额|实付金额|支付金额)$/i,
  currency: /^(currency|ccy|币种|货币)$/i,
  deduction: /^(discount|deduction|skonto|折扣|扣款|扣减)$/i,
  reference: /^(reference|payment ?ref(erence)?|remittance ?ref(erence)?|付款参考号|参考号|流水号)$/i,
  date: /^(date|payment ?date|value ?date|付款日期|日期)$/i,
};

/** Reads a CSV remittance advice (UTF-8, GBK via `encoding`, comma or semicolon). */
export function parseRemittanceCsv(bytes: Uint8Array, defaultCurrency: string, encoding?: string): RemittanceAdvice {
  const text = decodeText(bytes, encoding);
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : firstLine.includes('\t') ? '\t' : ',';
  let rows: string[][];
  try {
    rows = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: false, bom: true }) as string[][];
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw malformed(`line ${e.lines ?? '?'}`, `not readable as CSV (${e.message})`, e.lines);
  }
  return parseRemittanceRows(rows, defaultCurrency);
}

/** Reads rows (from a CSV or a worksheet, first row = line 1) into the advice's lines. */
export function parseRemittanceRows(rows: string[][], defaultCurrency: string): RemittanceAdvice {
  const fallback = bankCurrency(defaultCurrency, 'currency');
  // The header: the first of the first 20 rows that names an invoice column and an amount column.
  let headerAt = -1;
  let cols: Partial<Record<keyof typeof HEADERS, number>> = {};
  for (let r = 0; r < Math.min(rows.length, 20) && headerAt < 0; r++) {
    const found: Partial<Record<keyof typeof HEADERS, number>> = {};
    rows[r]!.forEach((cell, i) => {
      const name = cell.trim().replace(/[:：]$/, '');
      for (const [key, re] of Object.entries(HEADERS) as [keyof typeof HEADERS, RegExp][]) if (found[key] === undefined && re.test(name)) found[key] = i;
    });
    if (found.invoice !== undefined && found.amount !== undefined) {
      headerAt = r;
      cols = found;
    }
  }
  if (headerAt < 0) throw malformed('line 1', 'no header row with an invoice number column and an amount column (e.g. "Invoice number", "Amount paid", "发票号", "金额") in the first 20 rows');
  if (rows.length - headerAt - 1 > MAX_REMITTANCE_LINES) throw malformed(`line ${headerAt + 1}`, `more than ${MAX_REMITTANCE_LINES} lines; split the advice`);
  const lines: RemittanceLine[] = [];
  for (let r = headerAt + 1; r < rows.length; r++) {
    const row = rows[r]!;
    const line = r + 1;
    const cell = (key: keyof typeof HEADERS) => (cols[key] === undefined ? '' : (row[cols[key]!] ?? '').trim());
    if (row.every((c) => c.trim() === '')) continue;
    const invoiceNumber = clean(cell('invoice'));
    // A total line at the bottom ("Total", "合计") carries no invoice number: it is checked, not imported.
    if (!invoiceNumber || /^(total|sum|合计|总计)$/i.test(invoiceNumber)) continue;
    const currency = cell('currency') ? bankCurrency(cell('currency'), `line ${line}, column currency`, line) : fallback;
    const amount = (text: string, column: string) => decimalToMinor(text.replace(/[,\s]/g, ''), currency, `line ${line}, column ${column}`, line, '.');
    const dateText = cell('date');
    let paymentDate: LocalDate | null = null;
    if (dateText) {
      const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/.exec(dateText);
      if (!m) throw malformed(`line ${line}, column date`, `"${dateText}" is not a date YYYY-MM-DD`, line);
      paymentDate = checkedDate(Number(m[1]), Number(m[2]), Number(m[3]), dateText, `line ${line}, column date`, line);
    }
    lines.push({
      line, invoiceNumber, currency, amountMinor: amount(cell('amount'), 'amount'),
      deductionMinor: cell('deduction') ? amount(cell('deduction'), 'deduction') : 0n,
      reference: clean(cell('reference')), paymentDate,
    });
  }
  if (lines.length === 0) throw malformed(`line ${headerAt + 2}`, 'the advice lists no invoice');
  const currencies = new Set(lines.map((l) => l.currency));
  if (currencies.size > 1) throw malformed(`line ${lines.find((l) => l.currency !== lines[0]!.currency)!.line}`, `one advice is one payment in one currency; this one has ${[...currencies].join(', ')}`);
  return { lines, totalMinor: lines.reduce((s, l) => s + l.amountMinor, 0n), currency: lines[0]!.currency };
}

/**
 * Reads the first worksheet of an XLSX remittance advice. A number cell becomes its shortest decimal text (what Excel
 * shows), so 1234.56 stays "1234.56"; a cell with more decimals than the currency has is refused, never rounded.
 */
export async function parseRemittanceXlsx(bytes: Uint8Array, defaultCurrency: string): Promise<RemittanceAdvice> {
  const { default: excel } = await import('exceljs');
  const workbook = new excel.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (error) {
    throw malformed('file', `not a readable XLSX workbook (${(error as Error).message})`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw malformed('file', 'the workbook has no worksheet');
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      const v = cell.value as unknown;
      let text = '';
      if (v === null || v === undefined) text = '';
      else if (typeof v === 'number') text = String(v);
      else if (v instanceof Date) text = v.toISOString().slice(0, 10);
      else if (typeof v === 'object' && v !== null && 'result' in v) text = String((v as { result: unknown }).result ?? '');
      else if (typeof v === 'object' && v !== null && 'richText' in v) text = (v as { richText: { text: string }[] }).richText.map((r) => r.text).join('');
      else text = String(v);
      cells[col - 1] = text;
    });
    rows[rowNumber - 1] = Array.from(cells, (c) => c ?? '');
  });
  return parseRemittanceRows(Array.from(rows, (r) => r ?? []), defaultCurrency);
}
