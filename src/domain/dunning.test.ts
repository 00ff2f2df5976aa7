import { describe, expect, it } from 'vitest';
import { parseDecimal } from './decimal.ts';
import {
  assignStrategy, discountOffered, interestDays, lateInterestMinor, planRun, stepProblems, type AssignmentRule, type DunningCustomer, type DunningExclusions,
  type DunningItem, type DunningStep, type DunningStrategy, type RunPlan,
} from './dunning.ts';
import { renderTemplate, templateProblems } from './dunning-template.ts';

const step = (seq: number, offsetDays: number, channel: DunningStep['channel'], extra: Partial<DunningStep> = {}): DunningStep => ({
  id: `s${seq}`, seq, offsetDays, channel, templateKey: `t${seq}`, feeMinor: null, feeCurrency: null, lateInterest: false, ...extra,
});

// The standard strategy: a friendly reminder 3 days before due, email at +7, SMS with interest at +21, a final notice
// with a 50.00 CNY fee and interest at +35, a call at +50.
const standard: DunningStrategy = {
  id: 'std', code: 'standard', minAmountMinor: 10_000n, // 100.00
  steps: [
    step(1, -3, 'email'),
    step(2, 7, 'email'),
    step(3, 21, 'sms', { lateInterest: true }),
    step(4, 35, 'final_notice', { feeMinor: 5_000n, feeCurrency: 'CNY', lateInterest: true }),
    step(5, 50, 'call_task', { lateInterest: true }),
  ],
};
const strategies = new Map([[standard.id, standard]]);
const none: DunningExclusions = { disputedItemIds: new Set(), promisedItemUntil: new Map(), promisedCustomerUntil: new Map(), paymentPlanItemIds: new Set(), escalatedItemIds: new Set() };
const customer = (customerId: string, extra: Partial<DunningCustomer> = {}): DunningCustomer => ({ customerId, strategyId: 'std', doNotDun: false, inLegal: false, ...extra });
const item = (itemId: string, customerId: string, dueDate: string, openMinor: bigint, extra: Partial<DunningItem> = {}): DunningItem => ({
  itemId, customerId, documentNumber: itemId, seq: 1, currency: 'CNY', dueDate, openMinor, stepsDone: [], interestChargedTo: null, ...extra,
});
const twelvePercent = parseDecimal('12', 'rate');

/** What the module does after a real run: the item steps reached and skipped are recorded, interest charged up to asOf. */
function record(items: DunningItem[], plan: RunPlan): DunningItem[] {
  return items.map((i) => {
    const m = plan.messages.find((msg) => msg.items.some((x) => x.itemId === i.itemId));
    if (!m) return i;
    const p = m.items.find((x) => x.itemId === i.itemId)!;
    return { ...i, stepsDone: [...i.stepsDone, ...p.skippedSeqs, m.step.seq], interestChargedTo: p.interestFrom ? plan.asOf : i.interestChargedTo };
  });
}
const run = (asOf: string, items: DunningItem[], customers = [customer('C1')], exclusions = none) =>
  planRun({ asOf, customers, items, strategies, exclusions, interestRatePercent: twelvePercent });
const sent = (plan: RunPlan) => plan.messages.map((m) => `${m.customerId}:${m.step.seq}:${m.items.map((i) => i.itemId).join('+')}`);

describe('early-payment discounts offered in reminders', () => {
  // 2/10 net 30 on a 10,000.00 invoice dated 2026-02-08: due 03-10, 2% = 200.00 off if paid by 02-18.
  const terms = { amountMinor: 20_000n, until: '2026-02-18' };
  it('offers the discount up to and including its last day, never after, never without one', () => {
    expect(discountOffered({ discount: terms }, '2026-02-18')).toEqual(terms);
    expect(discountOffered({ discount: terms }, '2026-02-19')).toBeNull();
    expect(discountOffered({ discount: null }, '2026-02-10')).toBeNull();
    expect(discountOffered({ discount: { amountMinor: 0n, until: '2026-02-18' } }, '2026-02-10')).toBeNull();
  });

  it('a reminder sent inside the discount period carries it; one sent after it does not', () => {
    // A strategy whose first reminder goes 25 days before the due date (03-10 − 25 = 02-13, inside the period).
    const early: DunningStrategy = { ...standard, id: 'early', steps: [step(1, -25, 'email'), ...standard.steps.slice(1)] };
    const plan = planRun({ asOf: '2026-02-13', customers: [customer('C1', { strategyId: 'early' })], items: [item('INV-D', 'C1', '2026-03-10', 1_000_000n, { discount: terms })], strategies: new Map([['early', early]]), exclusions: none, interestRatePercent: twelvePercent });
    expect(plan.messages[0]!.items[0]!.discount).toEqual(terms);
    // The standard first reminder (03-07) comes after 02-18: no discount offered.
    expect(run('2026-03-07', [item('INV-D', 'C1', '2026-03-10', 1_000_000n, { discount: terms })]).messages[0]!.items[0]!.discount).toBeNull();
  });
});

describe('step progression of one 10,000.00 CNY invoice due 2026-03-10 over a sequence of runs', () => {
  it('sends each step once, on its day, and after missed days only the step now due', () => {
    let items = [item('INV-1', 'C1', '2026-03-10', 1_000_000n)];
    const timeline: [string, string[]][] = [];
    for (const asOf of ['2026-03-06', '2026-03-07', '2026-03-07', '2026-03-08', '2026-03-16', '2026-03-17', '2026-03-18', '2026-04-15', '2026-04-16', '2026-04-29']) {
      const plan = run(asOf, items);
      timeline.push([asOf, sent(plan)]);
      items = record(items, plan);
    }
    expect(timeline).toEqual([
      ['2026-03-06', []], // step 1 is due 03-10 − 3 = 03-07
      ['2026-03-07', ['C1:1:INV-1']],
      ['2026-03-07', []], // the same day again: nothing twice
      ['2026-03-08', []],
      ['2026-03-16', []], // step 2 is due 03-10 + 7 = 03-17
      ['2026-03-17', ['C1:2:INV-1']],
      ['2026-03-18', []],
      // No run from 03-18 to 04-15: step 3 (03-31) was missed, step 4 (04-14) is now due; only step 4 goes.
      ['2026-04-15', ['C1:4:INV-1']],
      ['2026-04-16', []], // step 3 is never sent late
      ['2026-04-29', ['C1:5:INV-1']], // 03-10 + 50 = 04-29
    ]);
    expect(items[0]!.stepsDone).toEqual([1, 2, 3, 4, 5]);
  });

  it('on 04-15 the final notice carries 36 days of interest at 12% and the 50.00 fee', () => {
    const plan = run('2026-04-15', [item('INV-1', 'C1', '2026-03-10', 1_000_000n, { stepsDone: [1, 2] })]);
    const [message] = plan.messages;
    expect(message!.step.seq).toBe(4);
    expect(message!.items[0]).toMatchObject({ daysOverdue: 36, skippedSeqs: [3], interestFrom: '2026-03-10' });
    // 1,000,000 × 12 × 36 / 36,500 = 432,000,000 / 36,500 = 11,835.6… → 11,836 (118.36)
    expect(message!.items[0]!.interestMinor).toBe(11_836n);
    // 10,000.00 + 118.36 + 50.00 = 10,168.36
    expect(message!.totals).toEqual([{ currency: 'CNY', openMinor: 1_000_000n, interestMinor: 11_836n, feeMinor: 5_000n, totalMinor: 1_016_836n }]);
  });

  it('interest is charged only once per day: the next step charges from the day the last one charged up to', () => {
    const plan = run('2026-04-29', [item('INV-1', 'C1', '2026-03-10', 1_000_000n, { stepsDone: [1, 2, 3, 4], interestChargedTo: '2026-04-15' })]);
    // 04-15 → 04-29 = 14 days: 1,000,000 × 12 × 14 / 36,500 = 168,000,000 / 36,500 = 4,602.7… → 4,603 (46.03)
    expect(plan.messages[0]!.items[0]).toMatchObject({ interestMinor: 4_603n, interestFrom: '2026-04-15' });
    expect(plan.messages[0]!.totals[0]!.feeMinor).toBe(0n);
  });

  it('an invoice first seen long overdue goes straight to the step now due', () => {
    const plan = run('2026-05-30', [item('INV-9', 'C1', '2026-03-10', 1_000_000n)]);
    expect(sent(plan)).toEqual(['C1:5:INV-9']);
    expect(plan.messages[0]!.items[0]!.skippedSeqs).toEqual([1, 2, 3, 4]);
  });
});

describe('grouping', () => {
  it('one message per customer per step, with every item at that step; other steps and customers apart', () => {
    const items = [
      item('INV-1', 'C1', '2026-03-10', 300_000n), // +7 on 03-17: step 2
      item('INV-2', 'C1', '2026-03-08', 200_000n), // +9: step 2
      item('INV-3', 'C1', '2026-03-20', 50_000n), // −3 on 03-17: step 1
      item('INV-4', 'C2', '2026-03-10', 400_000n), // step 2
    ];
    const plan = run('2026-03-17', items, [customer('C1'), customer('C2')]);
    // Items oldest due date first inside a message.
    expect(sent(plan)).toEqual(['C1:1:INV-3', 'C1:2:INV-2+INV-1', 'C2:2:INV-4']);
    expect(plan.messages[1]!.totals).toEqual([{ currency: 'CNY', openMinor: 500_000n, interestMinor: 0n, feeMinor: 0n, totalMinor: 500_000n }]);
    expect(plan.messages[1]!.key).toBe('2026-03-17:C1:s2');
  });

  it('totals per currency', () => {
    const plan = run('2026-03-17', [item('INV-1', 'C1', '2026-03-10', 300_000n), item('INV-U', 'C1', '2026-03-10', 20_000n, { currency: 'USD' })]);
    expect(plan.messages[0]!.totals.map((t) => [t.currency, t.totalMinor])).toEqual([['CNY', 300_000n], ['USD', 20_000n]]);
  });
});

describe('exclusions', () => {
  const items = [item('INV-1', 'C1', '2026-03-10', 1_000_000n), item('INV-2', 'C1', '2026-03-10', 500_000n)];
  const reasons = (plan: RunPlan) => plan.skipped.map((s) => `${s.customerId}:${s.itemId ?? '*'}:${s.reason}`);

  it('a disputed item stays out; the others go', () => {
    const plan = run('2026-03-17', items, undefined, { ...none, disputedItemIds: new Set(['INV-1']) });
    expect(sent(plan)).toEqual(['C1:2:INV-2']);
    expect(reasons(plan)).toEqual(['C1:INV-1:disputed']);
  });

  it('an item under an open promise stays out until the deadline (promised date + grace), inclusive', () => {
    const exclusions = { ...none, promisedItemUntil: new Map([['INV-1', '2026-03-20']]) };
    expect(sent(run('2026-03-20', items, undefined, exclusions))).toEqual(['C1:2:INV-2']);
    // The day after the deadline it is dunned again: step 2 still now due (03-24 is before +21 = 03-31).
    expect(sent(run('2026-03-21', items, undefined, exclusions))).toEqual(['C1:2:INV-1+INV-2']);
  });

  it('a promise naming no items covers all the customer\'s items', () => {
    const plan = run('2026-03-17', items, undefined, { ...none, promisedCustomerUntil: new Map([['C1', '2026-03-17']]) });
    expect(sent(plan)).toEqual([]);
    expect(reasons(plan)).toEqual(['C1:INV-1:promise', 'C1:INV-2:promise']);
  });

  it('an item in a payment plan stays out', () => {
    const plan = run('2026-03-17', items, undefined, { ...none, paymentPlanItemIds: new Set(['INV-2']) });
    expect(sent(plan)).toEqual(['C1:2:INV-1']);
    expect(reasons(plan)).toEqual(['C1:INV-2:payment_plan']);
  });

  it('an item handed over to an agency or to legal stays out; the customer\'s other items are dunned', () => {
    const plan = run('2026-03-17', items, undefined, { ...none, escalatedItemIds: new Set(['INV-1']) });
    expect(sent(plan)).toEqual(['C1:2:INV-2']);
    expect(reasons(plan)).toEqual(['C1:INV-1:escalated']);
  });

  it('a customer marked do-not-dun, one in legal and one with no strategy get nothing', () => {
    const plan = run('2026-03-17', [...items, item('X', 'C2', '2026-03-10', 900_000n), item('Y', 'C3', '2026-03-10', 900_000n)],
      [customer('C1', { doNotDun: true }), customer('C2', { inLegal: true }), customer('C3', { strategyId: null })]);
    expect(sent(plan)).toEqual([]);
    expect(reasons(plan)).toEqual(['C1:*:do_not_dun', 'C2:*:legal', 'C3:*:no_strategy']);
  });

  it('a currency whose due total is below the minimum (100.00) stays out', () => {
    // 60.00 + 30.00 = 90.00 < 100.00: out. 60.00 + 50.00 = 110.00: in.
    const small = [item('A', 'C1', '2026-03-10', 6_000n), item('B', 'C1', '2026-03-10', 3_000n)];
    expect(sent(run('2026-03-17', small))).toEqual([]);
    expect(reasons(run('2026-03-17', small))).toEqual(['C1:A:below_minimum', 'C1:B:below_minimum']);
    expect(sent(run('2026-03-17', [small[0]!, item('B', 'C1', '2026-03-10', 5_000n)]))).toEqual(['C1:2:A+B']);
  });

  it('an excluded item is not marked as reached: it is dunned once the exclusion ends', () => {
    const first = run('2026-03-17', items, undefined, { ...none, disputedItemIds: new Set(['INV-1']) });
    const after = record(items, first);
    expect(after[0]!.stepsDone).toEqual([]);
    expect(sent(run('2026-03-18', after))).toEqual(['C1:2:INV-1']);
  });
});

describe('late interest', () => {
  it.each([
    // open, rate %, days, expected: worked out by hand
    [1_000_000n, '12', 30, 9_863n], // 360,000,000 / 36,500 = 9,863.01
    [1_000_000n, '7.5', 30, 6_164n], // 1,000,000 × 75 × 30 / 365,000 = 6,164.38
    [18_250n, '1', 1, 1n], // 18,250 / 36,500 = 0.5 exactly: half up → 1
    [18_249n, '1', 1, 0n], // 0.49997 → 0
    [1_000_000n, '12', 0, 0n],
    [1_000_000n, '0', 30, 0n],
  ] as const)('open %s at %s percent for %s days → %s', (open, rate, days, expected) => {
    expect(lateInterestMinor(open, parseDecimal(rate, 'rate'), days)).toBe(expected);
  });
  it('runs from the later of the due date and the day last charged', () => {
    expect(interestDays('2026-03-10', null, '2026-04-15')).toEqual({ from: '2026-03-10', days: 36 });
    expect(interestDays('2026-03-10', '2026-04-15', '2026-04-29')).toEqual({ from: '2026-04-15', days: 14 });
    expect(interestDays('2026-03-10', null, '2026-03-01')).toEqual({ from: '2026-03-10', days: 0 });
  });
  it('no rate set: no interest even on a flagged step', () => {
    const plan = planRun({ asOf: '2026-04-15', customers: [customer('C1')], items: [item('I', 'C1', '2026-03-10', 1_000_000n)], strategies, exclusions: none, interestRatePercent: null });
    expect(plan.messages[0]!.items[0]!.interestMinor).toBe(0n);
  });
});

describe('strategy assignment', () => {
  const rule = (strategyId: string, priority: number, extra: Partial<AssignmentRule> = {}): AssignmentRule => ({
    strategyId, priority, segment: null, grades: null, minOpenMinor: null, minBrokenPromises: null, isDefault: false, ...extra,
  });
  const rules = [
    rule('key', 1, { segment: 'key_account' }),
    rule('risky', 2, { grades: ['D', 'E'] }),
    rule('big', 3, { minOpenMinor: 100_000_00n }),
    rule('breaker', 4, { minBrokenPromises: 2 }),
    rule('std', 9, { isDefault: true }),
  ];
  const facts = { segment: null, grade: 'B', openMinor: 0n, brokenPromises: 0, pinnedStrategyId: null };
  it.each([
    [{}, 'std', 'default'],
    [{ segment: 'key_account', grade: 'E' }, 'key', 'rule'], // priority 1 wins over the grade rule
    [{ grade: 'D' }, 'risky', 'rule'],
    [{ grade: null }, 'std', 'default'],
    [{ openMinor: 100_000_00n }, 'big', 'rule'],
    [{ openMinor: 99_999_99n }, 'std', 'default'],
    [{ brokenPromises: 2 }, 'breaker', 'rule'],
    [{ pinnedStrategyId: 'std', segment: 'key_account' }, 'std', 'pinned'],
  ] as const)('%o → %s (%s)', (extra, strategyId, why) => {
    expect(assignStrategy({ ...facts, ...extra }, rules)).toEqual({ strategyId, why });
  });
  it('no rule and no default: none', () => {
    expect(assignStrategy(facts, [rule('key', 1, { segment: 'key_account' })])).toBeNull();
  });
});

describe('steps', () => {
  it('need increasing offsets, a known channel and a fee with its currency', () => {
    expect(stepProblems([])).toEqual([{ field: 'steps', message: 'a strategy needs at least one step' }]);
    const problems = stepProblems([
      { offsetDays: 7, channel: 'email', templateKey: 'a', feeMinor: null, feeCurrency: null },
      { offsetDays: 7, channel: 'fax' as 'email', templateKey: 'b', feeMinor: 0n, feeCurrency: 'CNY' },
      { offsetDays: 10, channel: 'sms', templateKey: 'c', feeMinor: 100n, feeCurrency: null },
    ]).map((p) => p.field);
    expect(problems).toEqual(['steps.1.offsetDays', 'steps.1.channel', 'steps.1.fee', 'steps.2.feeCurrency']);
  });
});

describe('templates', () => {
  const scope = {
    customer: { name: 'Acme <Shanghai> & Co' },
    items: [{ document: 'INV-1', open: '1,000.00', daysOverdue: 36 }, { document: 'INV-2', open: '500.00', daysOverdue: 3 }],
    totals: [{ currency: 'CNY', total: '1,500.00' }],
    hasFee: false,
  };
  const source = 'Dear {{customer.name}},\n{{#items}}- {{document}}: {{open}} ({{daysOverdue}} days)\n{{/items}}{{#totals}}Total {{currency}} {{total}}{{/totals}}{{#hasFee}} + fee{{/hasFee}}{{^hasFee}}.{{/hasFee}}';
  it('repeats the items, shows a section for true and an inverted one for false', () => {
    expect(renderTemplate(source, scope)).toBe('Dear Acme <Shanghai> & Co,\n- INV-1: 1,000.00 (36 days)\n- INV-2: 500.00 (3 days)\nTotal CNY 1,500.00.');
  });
  it('escapes values for HTML, except in triple braces', () => {
    expect(renderTemplate('<p>{{customer.name}}</p>{{{customer.name}}}', scope, { html: true })).toBe('<p>Acme &lt;Shanghai&gt; &amp; Co</p>Acme <Shanghai> & Co');
  });
  it('a value containing a tag is not rendered again', () => {
    expect(renderTemplate('{{customer.name}}', { customer: { name: '{{asOf}}' }, asOf: 'X' })).toBe('{{asOf}}');
  });
  it('finds unknown variables and broken sections when saved, naming where', () => {
    // "Hi " 3 + {{customer.name}} 17 + " " 1 + {{#items}} 10 + {{document}} 12 + " " 1 = 44 characters before {{amount}}: the 45th.
    expect(templateProblems('Hi {{customer.name}} {{#items}}{{document}} {{amount}}{{/items}}', 'body')).toEqual([
      { field: 'body', message: expect.stringContaining('unknown variable {{amount}} (at character 45)') },
    ]);
    expect(templateProblems('{{#items}}x', 'body')[0]!.message).toContain('{{#items}} is never closed');
    expect(templateProblems('{{#items}}x{{/totals}}', 'body')[0]!.message).toContain('{{/totals}} closes {{#items}}');
    expect(templateProblems('Hello {{ customer name }}', 'subject')[0]!.message).toContain('not a tag');
    expect(templateProblems('客户 {{customer.name}}：{{#totals}}{{currency}} {{total}}{{/totals}}', 'body')).toEqual([]);
  });
});
