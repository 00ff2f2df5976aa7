/**
 * The general-ledger journal of a provision run: per customer, the charge as Dr 信用减值损失 / Cr 坏账准备, a release
 * as the reverse entry (Dr 坏账准备 / Cr 信用减值损失). Account codes and names come from the company's provision
 * settings at export time. Write-offs and recoveries are not journalised here: they are posted with the documents
 * that record them.
 */
import { csvCell } from '../../domain/csv.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import type { Sql } from '../../db/database.ts';
import type { Context } from '../context.ts';
import { getRun, provisionSettings } from './index.ts';

export const JOURNAL_COLUMNS = ['date', 'voucher', 'line', 'account_code', 'account_name', 'customer_code', 'customer_name', 'debit', 'credit', 'memo'] as const;

export interface JournalLine {
  date: string;
  voucher: string;
  line: number;
  accountCode: string;
  accountName: string;
  customerCode: string;
  customerName: string;
  debit: string;
  credit: string;
  memo: string;
}

/** The journal lines of a run (two per customer whose charge is not zero), debits equal to credits. */
export async function journalOf(ctx: Context, sql: Sql, runId: string): Promise<{ lines: JournalLine[]; totalDebit: string; totalCredit: string; periodEnd: string }> {
  const run = await getRun(ctx, sql, runId);
  const { accounts } = await provisionSettings(sql, ctx);
  const currency = run.currency;
  const voucher = `PROV-${run.periodEnd}`;
  const lines: JournalLine[] = [];
  let total = 0n;
  for (const c of run.report.movement.customers) {
    const negative = c.charge.startsWith('-');
    const amountMinor = parseAmount(negative ? c.charge.slice(1) : c.charge, currency);
    if (amountMinor === 0n) continue;
    total += amountMinor;
    const amount = formatAmount(amountMinor, currency);
    const memo = negative ? `坏账准备转回 release ${run.periodEnd}` : `计提坏账准备 provision ${run.periodEnd}`;
    const [debit, credit] = negative ? [accounts.allowance, accounts.impairmentLoss] : [accounts.impairmentLoss, accounts.allowance];
    const base = { date: run.periodEnd, voucher, customerCode: c.customer, customerName: c.name, memo };
    lines.push({ ...base, line: lines.length + 1, accountCode: debit.code, accountName: debit.name, debit: amount, credit: '' });
    lines.push({ ...base, line: lines.length + 1, accountCode: credit.code, accountName: credit.name, debit: '', credit: amount });
  }
  const sum = formatAmount(total, currency);
  return { lines, totalDebit: sum, totalCredit: sum, periodEnd: run.periodEnd };
}

const cells = (l: JournalLine) => [l.date, l.voucher, l.line, l.accountCode, l.accountName, l.customerCode, l.customerName, l.debit, l.credit, l.memo];

/** CSV with a UTF-8 byte-order mark, so Excel opens the Chinese account names right. */
export function journalCsv(lines: readonly JournalLine[]): string {
  return `\ufeff${[JOURNAL_COLUMNS.join(','), ...lines.map((l) => cells(l).map(csvCell).join(','))].join('\r\n')}\r\n`;
}

/** XLSX: amounts as numbers with two decimals (a spreadsheet sums them); the CSV carries the exact decimal strings. */
export async function journalXlsx(lines: readonly JournalLine[]): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('journal');
  sheet.addRow([...JOURNAL_COLUMNS]);
  sheet.getRow(1).font = { bold: true };
  for (const l of lines) {
    const row = cells(l).map((v, i) => ((i === 7 || i === 8) && v !== '' ? Number(v) : v));
    sheet.addRow(row);
  }
  for (const col of [8, 9]) sheet.getColumn(col).numFmt = '#,##0.00';
  sheet.columns.forEach((c, i) => { c.width = [12, 18, 6, 12, 16, 14, 24, 14, 14, 30][i] ?? 12; });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
