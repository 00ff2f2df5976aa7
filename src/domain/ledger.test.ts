import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LocalDate } from './dates.ts';
import { crossRate, parseDecimal } from './decimal.ts';
import { AppError } from './errors.ts';
import { planAllocations, type AllocationRequest, type OpenItem, type PlannedAllocation } from './ledger.ts';
import { appErrorOf } from './test-helpers.ts';

/** An open item of document `number`: `INV-1#2` is its second installment. Amounts are in minor units (fen). */
function item(number: string, seq: number, openMinor: bigint, dueDate: LocalDate | null, currency = 'CNY'): OpenItem {
  return { itemId: `${number}#${seq}`, documentNumber: number, seq, dueDate, currency, openMinor };
}

function byDocument(...items: OpenItem[]): Map<string, OpenItem[]> {
  const map = new Map<string, OpenItem[]>();
  for (const i of items) map.set(i.documentNumber, [...(map.get(i.documentNumber) ?? []), i]);
  return map;
}

/** Requests as the API numbers them: `to.0`, `to.1`… */
function requests(...asked: [string, bigint?][]): AllocationRequest[] {
  return asked.map(([documentNumber, amountMinor], i) => ({ documentNumber, ...(amountMinor === undefined ? {} : { amountMinor }), field: `to.${i}` }));
}

// INV-1: one item, 500.00 open. INV-2: installments of 30.00 (due 04-10) and 70.01 (due 05-10), seq order = due order.
// INV-3: seq 1 due later than seq 2, and seq 3 shares seq 2's due date. INV-4: no due date on one item.
const ledger = byDocument(
  item('INV-1', 1, 50000n, '2026-03-31'),
  item('INV-2', 1, 3000n, '2026-04-10'),
  item('INV-2', 2, 7001n, '2026-05-10'),
  item('INV-3', 1, 1000n, '2026-06-30'),
  item('INV-3', 2, 2000n, '2026-05-31'),
  item('INV-3', 3, 4000n, '2026-05-31'),
  item('INV-4', 1, 500n, null),
  item('INV-4', 2, 700n, '2026-12-31'),
  item('CLOSED-1', 1, 0n, '2026-03-31'),
  item('USD-1', 1, 10000n, '2026-03-31', 'USD'),
);

describe('planAllocations: what is applied where', () => {
  it.each<[string, bigint, AllocationRequest[], Omit<PlannedAllocation, 'creditAmountMinor'>[]]>([
    // [label, credit unapplied, requests, plan]
    ['an explicit amount is applied as asked', 100000n, requests(['INV-1', 30000n]),
      [{ itemId: 'INV-1#1', amountMinor: 30000n }]],
    ['an explicit amount may be the whole open amount', 50000n, requests(['INV-1', 50000n]),
      [{ itemId: 'INV-1#1', amountMinor: 50000n }]],
    ['no amount: all that is open, when the credit covers it', 100000n, requests(['INV-1']),
      [{ itemId: 'INV-1#1', amountMinor: 50000n }]],
    ['no amount: what is left of the credit, when it does not', 40000n, requests(['INV-1']),
      [{ itemId: 'INV-1#1', amountMinor: 40000n }]],
    // 50.00 pays installment 1 (30.00) in full and 20.00 of installment 2.
    ['installments oldest first', 5000n, requests(['INV-2']),
      [{ itemId: 'INV-2#1', amountMinor: 3000n }, { itemId: 'INV-2#2', amountMinor: 2000n }]],
    // Due 05-31 (seq 2, then seq 3 on the same day) before 06-30 (seq 1): 20.00 + 40.00 + 5.00 = 65.00.
    ['by due date, then installment number', 6500n, requests(['INV-3']),
      [{ itemId: 'INV-3#2', amountMinor: 2000n }, { itemId: 'INV-3#3', amountMinor: 4000n }, { itemId: 'INV-3#1', amountMinor: 500n }]],
    ['an item without a due date comes last', 1000n, requests(['INV-4']),
      [{ itemId: 'INV-4#2', amountMinor: 700n }, { itemId: 'INV-4#1', amountMinor: 300n }]],
    ['an explicit amount is spread oldest first too', 100000n, requests(['INV-3', 2500n]),
      [{ itemId: 'INV-3#2', amountMinor: 2000n }, { itemId: 'INV-3#3', amountMinor: 500n }]],
    // Credit 510.00: INV-2's explicit 100.01 first, the unspecified INV-1 gets the 409.99 left (not its 500.00 open).
    ['explicit before unspecified', 51000n, requests(['INV-1'], ['INV-2', 10001n]),
      [{ itemId: 'INV-2#1', amountMinor: 3000n }, { itemId: 'INV-2#2', amountMinor: 7001n }, { itemId: 'INV-1#1', amountMinor: 40999n }]],
    // Credit 600.00: INV-2 takes all 100.01 open, INV-1 the 499.99 left.
    ['several unspecified, in the order asked', 60000n, requests(['INV-2'], ['INV-1']),
      [{ itemId: 'INV-2#1', amountMinor: 3000n }, { itemId: 'INV-2#2', amountMinor: 7001n }, { itemId: 'INV-1#1', amountMinor: 49999n }]],
    ['nothing asked, nothing planned', 100n, [], []],
  ])('%s', (_label, credit, asked, plan) => {
    const planned = planAllocations(credit, 'CNY', asked, ledger);
    expect(planned.map(({ itemId, amountMinor }) => ({ itemId, amountMinor }))).toEqual(plan);
    // One currency: the credit gives up exactly what the debit is settled by.
    for (const p of planned) expect(p.creditAmountMinor).toBe(p.amountMinor);
    const total = planned.reduce((sum, p) => sum + p.amountMinor, 0n);
    expect(total <= credit).toBe(true);
  });
});

describe('planAllocations: what is refused, each problem naming its field', () => {
  it.each<[string, bigint, AllocationRequest[], { field: string; message: RegExp }[]]>([
    // [label, credit unapplied, requests, problems]
    ['one amount over the credit', 10000n, requests(['INV-1', 10001n]),
      [{ field: 'to.0', message: /add up to 100\.01 CNY, more than the 100\.00 CNY still unapplied/ }]],
    // 60.00 + 50.00 = 110.00 > 100.00: no single request is at fault.
    ['amounts adding up to more than the credit', 10000n, requests(['INV-1', 6000n], ['INV-3', 5000n]),
      [{ field: 'to', message: /add up to 110\.00 CNY, more than the 100\.00 CNY/ }]],
    ['over the item\'s open', 100000n, requests(['INV-1', 50001n]),
      [{ field: 'to.0', message: /INV-1 has only 500\.00 CNY open, less than the 500\.01 CNY to apply/ }]],
    // INV-2 is 30.00 + 70.01 = 100.01 open in all.
    ['over the document\'s open across installments', 100000n, requests(['INV-2', 10002n]),
      [{ field: 'to.0', message: /INV-2 has only 100\.01 CNY open/ }]],
    ['an unknown document', 100000n, requests(['INV-1', 100n], ['INV-99']),
      [{ field: 'to.1', message: /no open item of this customer has number INV-99/ }]],
    ['a document in another currency', 100000n, requests(['USD-1']),
      [{ field: 'to.0', message: /USD-1 is in USD but the credit is in CNY/ }]],
    ['a document named twice', 100000n, requests(['INV-1', 100n], ['INV-1', 200n]),
      [{ field: 'to.1', message: /INV-1 is named twice/ }]],
    // Explicit requests are planned first, so the unspecified one (asked first) is the one named twice.
    ['named twice, the unspecified one reported', 100000n, requests(['INV-1'], ['INV-1', 200n]),
      [{ field: 'to.0', message: /INV-1 is named twice/ }]],
    ['a document with nothing open', 100000n, requests(['CLOSED-1']),
      [{ field: 'to.0', message: /CLOSED-1 has nothing open/ }]],
    ['an amount of zero', 100000n, requests(['INV-1', 0n]),
      [{ field: 'to.0', message: /more than zero/ }]],
    ['nothing of the credit left for an unspecified request', 10000n, requests(['INV-1', 10000n], ['INV-2']),
      [{ field: 'to.1', message: /nothing of the credit is left for INV-2/ }]],
    ['a credit with nothing unapplied', 0n, requests(['INV-1']),
      [{ field: 'to.0', message: /nothing of the credit is left for INV-1/ }]],
    ['every problem at once', 100000n, requests(['INV-99'], ['CLOSED-1'], ['USD-1'], ['INV-1', 60000n]),
      [
        { field: 'to.3', message: /has only 500\.00 CNY/ },
        { field: 'to.0', message: /INV-99/ },
        { field: 'to.1', message: /nothing open/ },
        { field: 'to.2', message: /USD/ },
      ]],
  ])('%s', (_label, credit, asked, problems) => {
    const error = appErrorOf(() => planAllocations(credit, 'CNY', asked, ledger));
    expect(error).toMatchObject(expectedRefusal(error.details.map((d) => d.message)));
    expect(error.details).toEqual(problems.map((p) => ({ field: p.field, message: expect.stringMatching(p.message) })));
    expect(error.message).toContain(error.details[0]!.message);
  });

  it.each([
    // [caller, the requests' fields, the field of a fault they share]
    ['applying a credit', ['to.0', 'to.1'], 'to'],
    ['posting with appliesTo', ['appliesTo.0', 'appliesTo.1'], 'appliesTo'],
    ['an import line', ['applies_to', 'applies_to'], 'applies_to'],
  ])('amounts over the credit together are reported on their list (%s)', (_caller, fields, field) => {
    // 300.00 + 300.00 = 600.00 asked of a credit of 500.00.
    const asked = [{ documentNumber: 'INV-1', amountMinor: 30000n, field: fields[0]! }, { documentNumber: 'INV-3', amountMinor: 30000n, field: fields[1]! }];
    const error = appErrorOf(() => planAllocations(50000n, 'CNY', asked, byDocument(item('INV-1', 1, 50000n, '2026-03-31'), item('INV-3', 1, 50000n, '2026-03-31'))));
    expect(error.details).toEqual([{ field, message: expect.stringContaining('add up to 600.00 CNY, more than the 500.00 CNY') }]);
  });
});

/** Problems of the ledger's state (not enough open or unapplied) alone are a conflict; any problem of form makes it invalid. */
const STATE_PROBLEM = /nothing open|has only .* open|nothing of the credit is left|add up to .* more than|left of the credit/;
function expectedRefusal(messages: string[]) {
  return messages.every((m) => STATE_PROBLEM.test(m))
    ? { kind: 'conflict', code: 'ALLOCATION_EXCEEDS_OPEN' }
    : { kind: 'invalid', code: 'ALLOCATION_INVALID' };
}

describe('planAllocations: a credit in one currency, a document in another', () => {
  // USD-2: 1,000.00 USD open. EUR-3: installments of 600.00 EUR (due 04-30) and 400.00 EUR (due 05-31).
  const foreign = byDocument(
    item('USD-2', 1, 100000n, '2026-03-31', 'USD'),
    item('EUR-3', 1, 60000n, '2026-04-30', 'EUR'),
    item('EUR-3', 2, 40000n, '2026-05-31', 'EUR'),
    item('CNY-4', 1, 50000n, '2026-03-31'),
  );
  const rate = (text: string) => ({ numerator: parseDecimal(text, 'rate').units, denominator: 10n ** BigInt(parseDecimal(text, 'rate').scale) });
  const at = (documentNumber: string, extra: Partial<AllocationRequest>): AllocationRequest => ({ documentNumber, field: 'to.0', ...extra });

  it.each<[string, bigint, string, AllocationRequest, PlannedAllocation[]]>([
    // [label, credit unapplied, credit currency, request, plan]
    // 1,000.00 USD × 7.15 CNY/USD = 7,150.00 CNY: the whole invoice, the whole payment.
    ['no amount: the whole document at the rate, when the credit covers it', 715000n, 'CNY', at('USD-2', { rate: rate('7.15') }),
      [{ itemId: 'USD-2#1', amountMinor: 100000n, creditAmountMinor: 715000n }]],
    // 3,575.00 CNY ÷ 7.15 = 500.00 USD.
    ['an amount in the credit currency settles amount ÷ rate', 715000n, 'CNY', at('USD-2', { amountMinor: 357500n, rate: rate('7.15') }),
      [{ itemId: 'USD-2#1', amountMinor: 50000n, creditAmountMinor: 357500n }]],
    // Both amounts given: 7,100.00 CNY settles 1,000.00 USD, no rate needed.
    ['both amounts given are taken as they are', 800000n, 'CNY', at('USD-2', { amountMinor: 710000n, settles: '1000.00' }),
      [{ itemId: 'USD-2#1', amountMinor: 100000n, creditAmountMinor: 710000n }]],
    // 200.00 USD × 7.15 = 1,430.00 CNY.
    ['the amount settled alone takes amount × rate of the credit', 715000n, 'CNY', at('USD-2', { settles: '200.00', rate: rate('7.15') }),
      [{ itemId: 'USD-2#1', amountMinor: 20000n, creditAmountMinor: 143000n }]],
    // 1,000.00 CNY ÷ 7.15 = 139.8601… → 139.86 USD (half away from zero): the credit is used up.
    ['no amount: what the rest of the credit settles, rounded', 100000n, 'CNY', at('USD-2', { rate: rate('7.15') }),
      [{ itemId: 'USD-2#1', amountMinor: 13986n, creditAmountMinor: 100000n }]],
    // 1,000.00 EUR × 1.0937 = 1,093.70 USD, spread in proportion: 600/1000 × 1,093.70 = 656.22, the last 437.48.
    ['installments oldest first, the credit spread in proportion', 200000n, 'USD', at('EUR-3', { rate: rate('1.0937') }),
      [{ itemId: 'EUR-3#1', amountMinor: 60000n, creditAmountMinor: 65622n }, { itemId: 'EUR-3#2', amountMinor: 40000n, creditAmountMinor: 43748n }]],
    // Cross rate through CNY: EUR 7.82, USD 7.15 → 7.82 / 7.15 = 1.093706… USD per EUR; 1,000.00 EUR → 1,093.7062… → 1,093.71 USD,
    // spread in proportion: 1,093.71 × 600/1,000 = 656.226 → 656.23, the last 1,093.71 − 656.23 = 437.48.
    ['a cross rate is kept exact until an amount is rounded', 200000n, 'USD', at('EUR-3', { rate: crossRate(parseDecimal('7.82', 'r'), parseDecimal('7.15', 'r')) }),
      [{ itemId: 'EUR-3#1', amountMinor: 60000n, creditAmountMinor: 65623n }, { itemId: 'EUR-3#2', amountMinor: 40000n, creditAmountMinor: 43748n }]],
  ])('%s', (_label, credit, currency, request, plan) => {
    expect(planAllocations(credit, currency, [request], foreign)).toEqual(plan);
  });

  it.each<[string, bigint, AllocationRequest, { field: string; message: RegExp }, string]>([
    ['a foreign document without a rate or both amounts', 715000n, at('USD-2', { amountMinor: 100n }),
      { field: 'to.0', message: /USD-2 is in USD but the credit is in CNY: give the settlement rate \(CNY per USD\)/ }, 'ALLOCATION_INVALID'],
    ['a rate for a document in the credit currency', 715000n, at('CNY-4', { rate: rate('7.15') }),
      { field: 'to.0.rate', message: /in CNY like the credit/ }, 'ALLOCATION_INVALID'],
    ['an amount settled for a document in the credit currency', 715000n, at('CNY-4', { settles: '10.00' }),
      { field: 'to.0.settles', message: /in CNY like the credit/ }, 'ALLOCATION_INVALID'],
    ['an amount settled that is not an amount', 715000n, at('USD-2', { settles: '10.001', rate: rate('7.15') }),
      { field: 'to.0.settles', message: /decimal/ }, 'ALLOCATION_INVALID'],
    // 7,865.00 CNY ÷ 7.15 = 1,100.00 USD, 100.00 more than is open.
    ['an amount that settles more than is open', 800000n, at('USD-2', { amountMinor: 786500n, rate: rate('7.15') }),
      { field: 'to.0.amount', message: /USD-2 has only 1000\.00 USD open, less than the 1100\.00 USD that 7865\.00 CNY settles at 7\.15 CNY\/USD/ }, 'ALLOCATION_EXCEEDS_OPEN'],
    ['an amount settled that is more than is open', 800000n, at('USD-2', { amountMinor: 786500n, settles: '1100.00' }),
      { field: 'to.0.settles', message: /has only 1000\.00 USD open, less than the 1100\.00 USD to settle/ }, 'ALLOCATION_EXCEEDS_OPEN'],
    // 200.00 USD × 7.15 = 1,430.00 CNY, and only 1,000.00 CNY is left.
    ['an amount settled that takes more than the credit has', 100000n, at('USD-2', { settles: '200.00', rate: rate('7.15') }),
      { field: 'to.0.settles', message: /takes 1430\.00 CNY, more than the 1000\.00 CNY left of the credit/ }, 'ALLOCATION_EXCEEDS_OPEN'],
    // 0.01 CNY ÷ 7.15 = 0.0014 USD → 0.00.
    ['an amount too small to settle a cent', 715000n, at('USD-2', { amountMinor: 1n, rate: rate('7.15') }),
      { field: 'to.0.amount', message: /settles nothing of USD-2/ }, 'ALLOCATION_INVALID'],
  ])('refuses %s', (_label, credit, request, problem, code) => {
    const error = appErrorOf(() => planAllocations(credit, 'CNY', [request], foreign));
    expect(error.code).toBe(code);
    expect(error.details).toEqual([{ field: problem.field, message: expect.stringMatching(problem.message) }]);
  });
});

describe('planAllocations: properties', () => {
  const numbers = ['A', 'B', 'C', 'D'];
  // Weighted towards plans that succeed, so both outcomes are exercised often.
  const openItems = fc.tuple(
    ...numbers.map((number) => fc.record({
      currency: fc.oneof({ arbitrary: fc.constant('CNY'), weight: 9 }, { arbitrary: fc.constant('USD'), weight: 1 }),
      items: fc.array(fc.record({
        openMinor: fc.oneof({ arbitrary: fc.constant(0n), weight: 1 }, { arbitrary: fc.bigInt(1n, 50000n), weight: 9 }),
        dueDate: fc.option(fc.constantFrom<LocalDate>('2026-01-31', '2026-02-28', '2026-03-31'), { nil: null }),
      }), { minLength: 1, maxLength: 3 }),
    }).map(({ currency, items }) => items.map((i, index) => item(number, index + 1, i.openMinor, i.dueDate, currency)))),
  ).map((docs) => byDocument(...docs.flat()));
  const request = fc.record({
    documentNumber: fc.oneof({ arbitrary: fc.constantFrom(...numbers), weight: 12 }, { arbitrary: fc.constant('NONE'), weight: 1 }),
    amountMinor: fc.option(fc.oneof({ arbitrary: fc.bigInt(1n, 30000n), weight: 12 }, { arbitrary: fc.constant(0n), weight: 1 }), { nil: undefined }),
  });
  // Mostly distinct documents; now and then one named twice.
  const asked = fc.oneof(
    { arbitrary: fc.uniqueArray(request, { maxLength: 4, selector: (r) => r.documentNumber }), weight: 4 },
    { arbitrary: fc.array(request, { maxLength: 4 }), weight: 1 },
  ).map((list) => list.map((r, i) => ({ ...r, field: `appliesTo.${i}` })));

  it('never plans beyond the credit or an item, and refuses with details', () => {
    fc.assert(fc.property(fc.bigInt(0n, 150000n), openItems, asked, (credit, ledgerItems, list) => {
      const allItems = new Map([...ledgerItems.values()].flat().map((i) => [i.itemId, i]));
      let plan: PlannedAllocation[];
      try {
        plan = planAllocations(credit, 'CNY', list, ledgerItems);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        const appError = error as AppError;
        expect(appError).toMatchObject(expectedRefusal(appError.details.map((d) => d.message)));
        expect(appError.details.length).toBeGreaterThan(0);
        // Each request's own field, or for a fault of several together their list's.
        const fields = new Set(['appliesTo', ...list.map((r) => r.field)]);
        for (const detail of appError.details) expect(fields.has(detail.field!)).toBe(true);
        return;
      }
      const total = plan.reduce((sum, p) => sum + p.amountMinor, 0n);
      expect(total <= credit).toBe(true);
      const perItem = new Map<string, bigint>();
      for (const p of plan) {
        expect(p.amountMinor > 0n).toBe(true);
        perItem.set(p.itemId, (perItem.get(p.itemId) ?? 0n) + p.amountMinor);
      }
      for (const [itemId, amount] of perItem) {
        const open = allItems.get(itemId);
        expect(open).toBeDefined();
        expect(open!.currency).toBe('CNY');
        expect(amount <= open!.openMinor).toBe(true);
      }
      // Only requested documents are touched, and an explicit amount is applied exactly.
      for (const request of list) {
        const applied = plan.filter((p) => allItems.get(p.itemId)!.documentNumber === request.documentNumber)
          .reduce((sum, p) => sum + p.amountMinor, 0n);
        if (request.amountMinor !== undefined) expect(applied).toBe(request.amountMinor);
        else expect(applied > 0n).toBe(true);
      }
      for (const p of plan) expect(list.some((r) => r.documentNumber === allItems.get(p.itemId)!.documentNumber)).toBe(true);
    }), { numRuns: 500 });
  });
});
