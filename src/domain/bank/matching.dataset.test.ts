/**
 * The matching engine on the real bank files of ../shared/datasets (camt.053/052/054, MT940, BAI2; skipped when
 * absent): their payer names and free texts, in many languages and dialects, go through the engine. A ledger is
 * made from the files themselves: each payer a customer (names differing only in spaces or legal form are one), each incoming line an invoice of that payer for the line's
 * amount, numbered so that no real text names it. Then, by the points table:
 *   - a line whose payer has no other invoice of that amount gets its own invoice first: name 30 + amount 30 = 60, under
 *     80, but applied automatically by the sure rule PAYER_AMOUNT (the name is one customer's, and exactly one open
 *     item of it has the amount);
 *   - no real text is read as one of the invoice numbers (nothing scores a reference).
 */
import { describe, expect, it } from 'vitest';
import { parseBankFile } from './detect.ts';
import { buildBook, DEFAULT_MATCH_SETTINGS, matchLines, nameKey, type MatchCustomer, type MatchItem, type MatchLine } from './matching.ts';
import type { BankEntry } from './statement.ts';
import { datasetAvailable, datasetFiles, readDataset } from './test-datasets.ts';

const FOLDERS = ['camt053', 'mt940', 'bai2'];

function entriesOf(folder: string, file: string): BankEntry[] {
  try {
    return parseBankFile(readDataset(folder, file)).statements.flatMap((s) => s.entries);
  } catch {
    return []; // a file the parser refuses is the parser tests' business
  }
}

describe.each(FOLDERS)('matching the payers of %s', (folder) => {
  const present = datasetAvailable(folder);
  it.skipIf(!present)('proposes each payer\'s own invoice by name and amount, and reads no real text as an invoice number', () => {
    const credits = datasetFiles(folder).flatMap((file) => entriesOf(folder, file))
      .filter((e) => e.amountMinor > 0n && e.booked && !e.reversal && e.counterpartyName && e.counterpartyName.trim().length > 1);
    expect(credits.length).toBeGreaterThan(0);
    const customers = new Map<string, MatchCustomer>();
    const items: MatchItem[] = [];
    const lines: MatchLine[] = credits.map((e, n) => {
      const name = e.counterpartyName!.trim();
      // Names that differ only in spaces or legal form are one payer.
      const key = nameKey(name) || name;
      if (!customers.has(key)) customers.set(key, { id: `c${customers.size + 1}`, code: `ZZCUST${customers.size + 1}`, name, accounts: [] });
      const customer = customers.get(key)!;
      items.push({
        itemId: `i${n}`, documentNumber: `ZQX-${n}-QZX`, customerId: customer.id, currency: e.currency, openMinor: e.amountMinor,
        documentDate: '2000-01-01', dueDate: '2000-01-31', discountDate: null, discountAmountMinor: 0n,
      });
      return {
        id: `L${n}`, amountMinor: e.amountMinor, currency: e.currency, date: e.bookingDate ?? e.valueDate ?? '2000-01-31',
        texts: [e.remittanceText, e.endToEndId, e.customerReference], creditorReference: e.creditorReference,
        counterpartyName: name, counterpartyAccount: e.counterpartyAccount,
      };
    });
    const book = buildBook(items, [...customers.values()]);
    const results = matchLines(book, lines, DEFAULT_MATCH_SETTINGS);
    let checked = 0;
    results.forEach((r, n) => {
      const item = items[n]!;
      for (const p of r.proposals) expect(p.reasons.some((x) => x.code.startsWith('INVOICE_') || x.code === 'CREDITOR_REF'), `line ${n}: ${JSON.stringify(p.reasons)}`).toBe(false);
      const twins = items.filter((i) => i.customerId === item.customerId && i.currency === item.currency && i.openMinor === item.openMinor).length;
      if (twins !== 1) return;
      checked++;
      expect(r.status, `line ${n} (${lines[n]!.counterpartyName})`).toBe('auto');
      const best = r.proposals[0]!;
      expect(best.sure).toBe('PAYER_AMOUNT');
      expect(best.allocations.map((a) => a.itemId)).toEqual([item.itemId]);
      expect(best.customerId).toBe(item.customerId);
      expect(best.score).toBeGreaterThanOrEqual(60);
      expect(best.score).toBeLessThan(80);
      expect(r.proposals.some((p) => p.allocations.length === 1 && p.allocations[0]!.itemId === item.itemId)).toBe(true);
    });
    expect(checked).toBeGreaterThan(0);
  });
});
