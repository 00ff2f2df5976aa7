import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LocalDate } from './dates.ts';
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
  it.each<[string, bigint, AllocationRequest[], PlannedAllocation[]]>([
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
    expect(planned).toEqual(plan);
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
const STATE_PROBLEM = /nothing open|has only .* open|nothing of the credit is left|add up to .* more than/;
function expectedRefusal(messages: string[]) {
  return messages.every((m) => STATE_PROBLEM.test(m))
    ? { kind: 'conflict', code: 'ALLOCATION_EXCEEDS_OPEN' }
    : { kind: 'invalid', code: 'ALLOCATION_INVALID' };
}

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
