/**
 * Applying a credit (a payment being recorded, or a posted payment or credit note) to a customer's open items:
 * the lines to offer, "oldest first", and the checks the API would make, so the form refuses them before posting.
 * The API applies per document (`appliesTo: [{document, amount}]`) and, within a document, to its earliest
 * installments first; so the lines are documents, with their installments' open amounts added up. A document in
 * another currency than the credit's is paid with an amount in the credit's currency and, optionally, the settlement
 * rate (credit currency per unit of the document's; the server takes the rates on file without one).
 */
import { ApiError } from '../../api/client.ts';
import { apiMinor, formatMinor, parseMinor } from './money.ts';
import type { OpenItem } from './types.ts';

export interface OpenLine {
  kind: string;
  number: string;
  documentDate: string;
  /** The earliest due date of its open installments. */
  dueDate: string | null;
  installments: number;
  currency: string;
  openMinor: bigint;
}

/** The customer's open debit items as one line per document, in the API's order (oldest due first). */
export function groupOpenItems(items: readonly OpenItem[]): OpenLine[] {
  const lines = new Map<string, OpenLine>();
  for (const item of items) {
    if (item.side !== 'debit') continue;
    const key = `${item.currency}|${item.number}`;
    const line = lines.get(key);
    const open = apiMinor(item.open, item.currency);
    if (line) {
      line.openMinor += open;
      line.installments += 1;
      if (item.dueDate && (!line.dueDate || item.dueDate < line.dueDate)) line.dueDate = item.dueDate;
    } else {
      lines.set(key, { kind: item.kind, number: item.number, documentDate: item.documentDate, dueDate: item.dueDate, installments: 1, currency: item.currency, openMinor: open });
    }
  }
  return [...lines.values()];
}

/** Fills the lines in order with what is available until it runs out: the amounts to apply, by document number. */
export function fillOldestFirst(lines: readonly OpenLine[], availableMinor: bigint, currency: string): Record<string, string> {
  const amounts: Record<string, string> = {};
  let left = availableMinor;
  for (const line of lines) {
    if (left <= 0n) break;
    const take = line.openMinor < left ? line.openMinor : left;
    if (take > 0n) amounts[line.number] = formatMinor(take, currency);
    left -= take;
  }
  return amounts;
}

export type LineProblem = 'format' | 'decimals' | 'notPositive' | 'moreThanOpen' | 'rate';

/** A settlement rate as the API takes it: a positive decimal, at most 10 places. */
const RATE = /^\d{1,12}(\.\d{1,10})?$/;

export interface ApplicationCheck {
  appliedMinor: bigint;
  /** What is wrong with a line's amount, by document number. */
  lineProblems: Record<string, LineProblem>;
  /** The lines add up to more than the credit has. */
  overApplied: boolean;
  /** The request's `appliesTo` (lines with an amount), in the lines' order; `rate` for a document in another currency. */
  entries: { document: string; amount: string; rate?: string }[];
}

/**
 * Checks the amounts typed against the open amounts and what the credit has (null: not known yet). Amounts are in the
 * credit's `currency`; a line in another currency is not checked against its open amount here (that needs the rate
 * on file: the server checks it), its rate only for its form.
 */
export function checkApplication(lines: readonly OpenLine[], amounts: Readonly<Record<string, string>>, availableMinor: bigint | null, currency: string, rates: Readonly<Record<string, string>> = {}): ApplicationCheck {
  const lineProblems: Record<string, LineProblem> = {};
  const entries: ApplicationCheck['entries'] = [];
  let appliedMinor = 0n;
  for (const line of lines) {
    const text = amounts[line.number]?.trim();
    if (!text) continue;
    const minor = parseMinor(text, currency);
    if (typeof minor !== 'bigint') {
      lineProblems[line.number] = minor;
      continue;
    }
    if (minor === 0n) continue;
    if (minor < 0n) {
      lineProblems[line.number] = 'notPositive';
      continue;
    }
    const foreign = line.currency !== currency;
    const rate = foreign ? rates[line.number]?.trim() : undefined;
    if (rate && (!RATE.test(rate) || !/[1-9]/.test(rate))) lineProblems[line.number] = 'rate';
    else if (!foreign && minor > line.openMinor) lineProblems[line.number] = 'moreThanOpen';
    appliedMinor += minor;
    entries.push({ document: line.number, amount: formatMinor(minor, currency), ...(rate ? { rate } : {}) });
  }
  return { appliedMinor, lineProblems, overApplied: availableMinor !== null && appliedMinor > availableMinor, entries };
}

/**
 * The API's refusals of single lines (`appliesTo.2`, `to.0`) by document number, in the order the request named
 * them; the server's own words follow the translated frame, as ErrorAlert does for codes it does not know.
 */
export function serverLineErrors(error: unknown, entries: readonly { document: string }[], t: (key: string, options?: Record<string, unknown>) => string): Record<string, string> {
  const found: Record<string, string> = {};
  if (!(error instanceof ApiError)) return found;
  for (const detail of error.details) {
    const m = /^(?:body\.)?(?:appliesTo|to)\.(\d+)/.exec(detail.field ?? '');
    const entry = m ? entries[Number(m[1])] : undefined;
    if (entry) found[entry.document] = t('apply.refused', { message: detail.message });
  }
  return found;
}
