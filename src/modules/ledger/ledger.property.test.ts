/**
 * Model-based test of the ledger services on a real database: random sequences of postings, applications and
 * reversals run against the services and against a plain in-memory model of what each item should have open. The
 * model also says which commands must be refused; a refused command must change neither the model nor the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { contextFor, makeTenant, openTestDatabase, type TestDatabase } from '../../../test/support.ts';
import { addDays, type LocalDate } from '../../domain/dates.ts';
import { AppError } from '../../domain/errors.ts';
import { formatAmount, parseAmount } from '../../domain/money.ts';
import type { Context } from '../context.ts';
import { createCustomer } from '../customers/index.ts';
import { createTerms } from '../terms/index.ts';
import {
  applyCredit, customerBalance, getDocument, postDocument, reverseAllocation, reverseDocument, verifyAdvance, verifyLedger,
} from './index.ts';

// ---------------------------------------------------------------------------------------------------------------
// The model: documents with their items' open amounts, and every allocation row the services wrote.

type Side = 'debit' | 'credit';
type CreditKind = 'payment' | 'credit_note' | 'advance';
type Customer = 'C1' | 'C2';

interface ModelItem {
  seq: number;
  dueDate: LocalDate | null;
  amountMinor: bigint;
  openMinor: bigint;
}

interface ModelDocument {
  id: string;
  number: string;
  kind: 'invoice' | CreditKind | 'reversal';
  side: Side;
  customer: Customer;
  amountMinor: bigint;
  items: ModelItem[];
  reversed: boolean;
  verified: boolean;
}

interface ItemRef {
  number: string;
  seq: number;
}

interface ModelAllocation {
  id: string;
  credit: ItemRef;
  debit: ItemRef;
  amountMinor: bigint;
  /** application: applying a credit; unwind: the reversal of one; closing: a document reversal netting its original. */
  role: 'application' | 'unwind' | 'closing';
  reversed: boolean;
}

interface Model {
  documents: Map<string, ModelDocument>;
  allocations: ModelAllocation[];
}

const openOf = (doc: ModelDocument) => doc.items.reduce((sum, i) => sum + i.openMinor, 0n);
const itemOf = (model: Model, ref: ItemRef) => model.documents.get(ref.number)!.items.find((i) => i.seq === ref.seq)!;
const UNKNOWN_NUMBER = 'NO-SUCH-1';

interface Request {
  number: string;
  amountMinor?: bigint;
}

interface PlannedRow {
  number: string;
  seq: number;
  amountMinor: bigint;
}

/**
 * What applying `creditOpenMinor` to `requests` should do, from the rules as documented: explicit amounts must fit
 * the credit and the document's open amount; unspecified ones take what is left, explicit ones first; within a
 * document the earliest due installment first. Any problem refuses the whole application.
 */
function planInModel(model: Model, customer: Customer, creditOpenMinor: bigint, requests: readonly Request[]): PlannedRow[] | 'refused' {
  const explicitTotal = requests.reduce((sum, r) => sum + (r.amountMinor ?? 0n), 0n);
  if (explicitTotal > creditOpenMinor) return 'refused';
  if (new Set(requests.map((r) => r.number)).size < requests.length) return 'refused';
  let left = creditOpenMinor;
  const rows: PlannedRow[] = [];
  const ordered = [...requests.filter((r) => r.amountMinor !== undefined), ...requests.filter((r) => r.amountMinor === undefined)];
  for (const request of ordered) {
    const doc = model.documents.get(request.number);
    if (!doc || doc.side !== 'debit' || doc.kind === 'reversal' || doc.customer !== customer) return 'refused';
    const open = openOf(doc);
    if (open === 0n) return 'refused';
    if (request.amountMinor !== undefined && (request.amountMinor <= 0n || request.amountMinor > open)) return 'refused';
    let want = request.amountMinor ?? (open < left ? open : left);
    if (want === 0n) return 'refused';
    const due = (i: ModelItem) => i.dueDate ?? '9999-12-31';
    const oldestFirst = [...doc.items].sort((a, b) => (due(a) === due(b) ? a.seq - b.seq : due(a) < due(b) ? -1 : 1));
    for (const item of oldestFirst) {
      const take = item.openMinor < want ? item.openMinor : want;
      if (take > 0n) rows.push({ number: doc.number, seq: item.seq, amountMinor: take });
      want -= take;
      left -= take;
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Commands: plain data, so a failing sequence prints readably and shrinks. References to documents and allocations
// are positions in a pool chosen when the command runs (modulo its size), so every sequence is runnable.

/** A document to apply to: an open invoice of the credit's customer, any invoice, or any document at all (or none). */
interface Target {
  pool: 'open' | 'invoice' | 'any';
  pick: number;
  /** The amount to name, as a percentage of what the target has open; null = no amount. */
  percent: number | null;
}

type Command =
  | { do: 'invoice'; customer: Customer; amountMinor: bigint; terms: 'NET30' | 'SPLIT3' | null; day: number }
  | { do: 'credit'; kind: CreditKind; customer: Customer; amountMinor: bigint; day: number; verified: boolean; appliesTo: Target[]; against: Target | null }
  | { do: 'apply'; among: 'likely' | 'all'; pick: number; to: Target[] }
  | { do: 'reverseAllocation'; among: 'likely' | 'all'; pick: number }
  | { do: 'reverseDocument'; among: 'likely' | 'all'; pick: number }
  | { do: 'verifyAdvance'; among: 'likely' | 'all'; pick: number };

const weighted = <T>(...choices: [T, number][]) => fc.oneof(...choices.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));
const customerArb = weighted<Customer>(['C1', 3], ['C2', 1]);
const amountArb = fc.oneof({ arbitrary: fc.bigInt({ min: 1n, max: 100_000n }), weight: 9 }, { arbitrary: fc.bigInt({ min: 1n, max: 5n }), weight: 1 });
const dayArb = fc.integer({ min: 0, max: 120 });
const amongArb = weighted<'likely' | 'all'>(['likely', 3], ['all', 1]);
const pickArb = fc.nat({ max: 40 });
const targetArb: fc.Arbitrary<Target> = fc.record({
  pool: weighted<Target['pool']>(['open', 6], ['invoice', 2], ['any', 1]),
  pick: pickArb,
  percent: fc.option(fc.oneof({ arbitrary: fc.integer({ min: 1, max: 100 }), weight: 8 }, { arbitrary: fc.constantFrom(0, 101, 150), weight: 1 }), { nil: null, freq: 2 }),
});
/** Mostly one document per application, so that most applications can succeed; now and then up to three. */
const targetsArb = (minLength: number) => fc.oneof(
  { arbitrary: fc.array(targetArb, { minLength, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.array(targetArb, { minLength, maxLength: 3 }), weight: 1 },
);

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ do: fc.constant('invoice' as const), customer: customerArb, amountMinor: amountArb, terms: fc.constantFrom('NET30' as const, 'SPLIT3' as const, null), day: dayArb }) },
  { weight: 4, arbitrary: fc.record({
    do: fc.constant('credit' as const), kind: fc.constantFrom<CreditKind>('payment', 'credit_note', 'advance'), customer: customerArb,
    amountMinor: amountArb, day: dayArb, verified: fc.boolean(), appliesTo: targetsArb(0), against: fc.option(targetArb, { nil: null }),
  }) },
  { weight: 4, arbitrary: fc.record({ do: fc.constant('apply' as const), among: amongArb, pick: pickArb, to: targetsArb(1) }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('reverseAllocation' as const), among: amongArb, pick: pickArb }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('reverseDocument' as const), among: amongArb, pick: pickArb }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('verifyAdvance' as const), among: amongArb, pick: pickArb }) },
);

const choose = <T>(likely: T[], all: T[], among: 'likely' | 'all', pick: number): T | undefined => {
  const pool = among === 'likely' && likely.length ? likely : all;
  return pool.length ? pool[pick % pool.length] : undefined;
};

function resolveTarget(model: Model, customer: Customer, target: Target): Request {
  const docs = [...model.documents.values()];
  const invoices = docs.filter((d) => d.kind === 'invoice');
  const mine = invoices.filter((d) => d.customer === customer);
  const open = mine.filter((d) => openOf(d) > 0n);
  const pool = (target.pool === 'open' ? (open.length ? open : mine) : target.pool === 'invoice' ? invoices : docs).map((d) => d.number);
  if (target.pool === 'any') pool.push(UNKNOWN_NUMBER);
  const number = pool.length ? pool[target.pick % pool.length]! : UNKNOWN_NUMBER;
  if (target.percent === null) return { number };
  const doc = model.documents.get(number);
  const base = doc ? openOf(doc) : 10_000n;
  return { number, amountMinor: (base * BigInt(target.percent)) / 100n };
}

const money = (minor: bigint) => formatAmount(minor, 'CNY');
const minorOf = (text: string) => parseAmount(text, 'CNY', 'amount', { allowNegative: true });
const dateOf = (day: number) => addDays('2026-01-01', day);
const stringify = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

// ---------------------------------------------------------------------------------------------------------------
// Running a command against the services and the model side by side.

type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error };
    throw error;
  }
}

function expectRefused(outcome: Outcome<unknown>, code: string | string[]): void {
  if (outcome.ok) throw new Error(`expected the service to refuse with ${code}, but it accepted`);
  expect(Array.isArray(code) ? code : [code], outcome.error.message).toContain(outcome.error.code);
}

/** The planner refuses a bad request as invalid, and a request the ledger's state cannot meet as a conflict. */
const PLANNING_REFUSALS = ['ALLOCATION_INVALID', 'ALLOCATION_EXCEEDS_OPEN'];

function accepted<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected the service to accept, but it refused: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value;
}

interface PresentedAllocation {
  id: string;
  from: { number: string };
  to: { number: string; installment: number };
  amount: string;
}

/** Checks the service applied what the model planned, then books it in the model under the service's ids. */
function bookApplications(model: Model, credit: ModelDocument, planned: PlannedRow[], presented: readonly PresentedAllocation[]): void {
  const key = (r: { number: string; seq: number; amountMinor: bigint }) => `${r.number}#${r.seq} ${r.amountMinor}`;
  const actual = presented.map((a) => ({ id: a.id, from: a.from.number, number: a.to.number, seq: a.to.installment, amountMinor: minorOf(a.amount) }));
  expect(actual.map(key).sort()).toEqual(planned.map(key).sort());
  for (const a of actual) {
    expect(a.from).toBe(credit.number);
    model.allocations.push({ id: a.id, credit: { number: credit.number, seq: 1 }, debit: { number: a.number, seq: a.seq }, amountMinor: a.amountMinor, role: 'application', reversed: false });
    itemOf(model, { number: a.number, seq: a.seq }).openMinor -= a.amountMinor;
    credit.items[0]!.openMinor -= a.amountMinor;
  }
}

/** Undoes an allocation in the model: both items get the amount back. */
function unwindInModel(model: Model, allocation: ModelAllocation): void {
  allocation.reversed = true;
  itemOf(model, allocation.debit).openMinor += allocation.amountMinor;
  itemOf(model, allocation.credit).openMinor += allocation.amountMinor;
}

async function step(ctx: Context, model: Model, command: Command): Promise<void> {
  const docs = [...model.documents.values()];
  switch (command.do) {
    case 'invoice': {
      const documentDate = dateOf(command.day);
      const outcome = await attempt(() => postDocument(ctx, {
        kind: 'invoice', customer: command.customer, documentDate, amount: money(command.amountMinor), ...(command.terms ? { paymentTerms: command.terms } : {}),
      }));
      // 20/30/50 of 0.02 is 0.004/0.006/0.010 → 0.00, 0.01, 0.01 (one fen left, to the largest remainder): an
      // installment of zero, refused. From 0.03 on (0.01 each) every installment has at least one fen.
      if (command.terms === 'SPLIT3' && command.amountMinor < 3n) return expectRefused(outcome, 'DOCUMENT_INVALID');
      const result = accepted(outcome);
      const items = result.document.items!.map((i) => ({ seq: i.seq, dueDate: i.dueDate!, amountMinor: minorOf(i.amount), openMinor: minorOf(i.open) }));
      // SPLIT3 is 20% now, 30% and 50% in 30 days; C1's own terms are NET30, C2 has none (due on the invoice date).
      const terms = command.terms ?? (command.customer === 'C1' ? 'NET30' : null);
      const schedule = terms === 'SPLIT3' ? [[20n, 0], [30n, 30], [50n, 30]] as const : [[100n, terms === 'NET30' ? 30 : 0]] as const;
      expect(items.map((i) => [i.seq, i.dueDate])).toEqual(schedule.map(([, days], i) => [i + 1, addDays(documentDate, days)]));
      schedule.forEach(([percent], i) => {
        // Each installment within one fen of its exact share, and together exactly the amount.
        const exactTimes100 = command.amountMinor * percent;
        const diff = items[i]!.amountMinor * 100n - exactTimes100;
        expect(diff > -100n && diff < 100n).toBe(true);
      });
      expect(items.reduce((s, i) => s + i.amountMinor, 0n)).toBe(command.amountMinor);
      expect(items.every((i) => i.openMinor === i.amountMinor)).toBe(true);
      model.documents.set(result.document.number, {
        id: result.document.id, number: result.document.number, kind: 'invoice', side: 'debit', customer: command.customer,
        amountMinor: command.amountMinor, items, reversed: false, verified: false,
      });
      return;
    }

    case 'credit': {
      const appliesTo = command.appliesTo.map((t) => resolveTarget(model, command.customer, t));
      const against = command.kind === 'credit_note' && command.against ? resolveTarget(model, command.customer, command.against).number : undefined;
      const verified = command.kind === 'advance' ? command.verified : undefined;
      const outcome = await attempt(() => postDocument(ctx, {
        kind: command.kind, customer: command.customer, documentDate: dateOf(command.day), amount: money(command.amountMinor),
        ...(verified === undefined ? {} : { verified }),
        ...(against ? { againstInvoice: against } : {}),
        ...(appliesTo.length ? { appliesTo: appliesTo.map((r) => ({ document: r.number, ...(r.amountMinor === undefined ? {} : { amount: money(r.amountMinor) }) })) } : {}),
      }));
      if (command.kind === 'advance' && appliesTo.length && !verified) return expectRefused(outcome, 'DOCUMENT_INVALID');
      const related = against === undefined ? undefined : model.documents.get(against);
      if (against !== undefined && (!related || related.kind !== 'invoice' || related.customer !== command.customer)) return expectRefused(outcome, 'DOCUMENT_NOT_FOUND');
      let planned: PlannedRow[] | 'refused' = [];
      if (appliesTo.length) planned = planInModel(model, command.customer, command.amountMinor, appliesTo);
      else if (related && openOf(related) > 0n) planned = planInModel(model, command.customer, command.amountMinor, [{ number: related.number }]);
      if (planned === 'refused') return expectRefused(outcome, PLANNING_REFUSALS);
      const result = accepted(outcome);
      const credit: ModelDocument = {
        id: result.document.id, number: result.document.number, kind: command.kind, side: 'credit', customer: command.customer,
        amountMinor: command.amountMinor, items: [{ seq: 1, dueDate: null, amountMinor: command.amountMinor, openMinor: command.amountMinor }],
        reversed: false, verified: verified === true,
      };
      model.documents.set(credit.number, credit);
      bookApplications(model, credit, planned, result.allocations);
      return;
    }

    case 'apply': {
      const credits = docs.filter((d) => d.kind === 'payment' || d.kind === 'credit_note' || d.kind === 'advance');
      const credit = choose(credits.filter((d) => openOf(d) > 0n && !d.reversed), credits, command.among, command.pick);
      if (!credit) return;
      const to = command.to.map((t) => resolveTarget(model, credit.customer, t));
      const outcome = await attempt(() => applyCredit(ctx, {
        from: { kind: credit.kind as CreditKind, number: credit.number },
        to: to.map((r) => ({ document: r.number, ...(r.amountMinor === undefined ? {} : { amount: money(r.amountMinor) }) })),
      }));
      if (credit.reversed) return expectRefused(outcome, 'DOCUMENT_REVERSED');
      if (credit.kind === 'advance' && !credit.verified) return expectRefused(outcome, 'ADVANCE_NOT_VERIFIED');
      if (openOf(credit) === 0n) return expectRefused(outcome, 'CREDIT_FULLY_APPLIED');
      const planned = planInModel(model, credit.customer, openOf(credit), to);
      if (planned === 'refused') return expectRefused(outcome, PLANNING_REFUSALS);
      const result = accepted(outcome);
      bookApplications(model, credit, planned, result.allocations);
      expect(minorOf(result.creditOpen)).toBe(openOf(credit));
      return;
    }

    case 'reverseAllocation': {
      const allocation = choose(model.allocations.filter((a) => a.role === 'application' && !a.reversed), model.allocations, command.among, command.pick);
      if (!allocation) return;
      const outcome = await attempt(() => reverseAllocation(ctx, allocation.id, { reason: 'applied by mistake' }));
      if (allocation.role === 'unwind') return expectRefused(outcome, 'ALLOCATION_IS_REVERSAL');
      if (allocation.reversed) return expectRefused(outcome, 'ALREADY_REVERSED');
      if (allocation.role === 'closing') return expectRefused(outcome, 'ALLOCATION_OF_REVERSAL');
      const result = accepted(outcome);
      expect(minorOf(result.amount)).toBe(-allocation.amountMinor);
      unwindInModel(model, allocation);
      model.allocations.push({ ...allocation, id: result.id, amountMinor: -allocation.amountMinor, role: 'unwind', reversed: false });
      return;
    }

    case 'reverseDocument': {
      const doc = choose(docs.filter((d) => !d.reversed && d.kind !== 'reversal'), docs, command.among, command.pick);
      if (!doc) return;
      const outcome = await attempt(() => reverseDocument(ctx, doc.id, { reason: 'posted in error' }));
      if (doc.kind === 'reversal') return expectRefused(outcome, 'DOCUMENT_IS_REVERSAL');
      if (doc.reversed) return expectRefused(outcome, 'ALREADY_REVERSED');
      const result = accepted(outcome);
      const live = model.allocations.filter((a) => a.role === 'application' && !a.reversed && (a.credit.number === doc.number || a.debit.number === doc.number));
      expect([...result.unappliedAllocations].sort()).toEqual(live.map((a) => a.id).sort());
      for (const a of live) unwindInModel(model, a);
      // With its applications undone the document is wholly open again; the mirror closes every item.
      for (const item of doc.items) {
        expect(item.openMinor).toBe(item.amountMinor);
        item.openMinor = 0n;
      }
      doc.reversed = true;
      expect(result.reversal.number).toBe(`REV-${doc.number}`);
      const mirror: ModelDocument = {
        id: result.reversal.id, number: result.reversal.number, kind: 'reversal', side: doc.side === 'debit' ? 'credit' : 'debit',
        customer: doc.customer, amountMinor: doc.amountMinor, items: doc.items.map((i) => ({ ...i, openMinor: 0n })), reversed: false, verified: false,
      };
      model.documents.set(mirror.number, mirror);
      // The unwinding and closing rows' ids, so later commands can try to reverse them.
      const seen = await ctx.db.tenant(ctx.tenant.id, (sql) => getDocument(ctx, sql, doc.id));
      for (const a of seen.allocations) {
        const undone = live.find((l) => l.id === a.reversesAllocationId);
        if (undone) model.allocations.push({ ...undone, id: a.id, amountMinor: -undone.amountMinor, role: 'unwind', reversed: false });
        else if (a.from.number === mirror.number || a.to.number === mirror.number) {
          const [credit, debit] = doc.side === 'debit' ? [mirror, doc] : [doc, mirror];
          model.allocations.push({ id: a.id, credit: { number: credit.number, seq: a.to.installment }, debit: { number: debit.number, seq: a.to.installment }, amountMinor: minorOf(a.amount), role: 'closing', reversed: false });
        }
      }
      return;
    }

    case 'verifyAdvance': {
      const doc = choose(docs.filter((d) => d.kind === 'advance' && !d.verified && !d.reversed), docs, command.among, command.pick);
      if (!doc) return;
      const outcome = await attempt(() => verifyAdvance(ctx, doc.id, {}));
      if (doc.kind !== 'advance') return expectRefused(outcome, 'NOT_AN_ADVANCE');
      if (doc.reversed) return expectRefused(outcome, 'DOCUMENT_REVERSED');
      expect(accepted(outcome).verifiedOn).toBeTruthy();
      doc.verified = true;
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

/** Every item's amount and open in the ledger, and the row counts: after a refusal these must not have moved. */
async function ledgerState(ctx: Context) {
  return ctx.db.tenant(ctx.tenant.id, async (sql) => {
    const items = await sql.query<{ number: string; seq: number; amountMinor: bigint; openMinor: bigint }>(
      `SELECT d.number, i.seq, i.amount_minor AS "amountMinor", b.open_minor AS "openMinor"
         FROM items i
         JOIN documents d ON d.tenant_id = i.tenant_id AND d.id = i.document_id
         JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id
        WHERE i.tenant_id = $1`, [ctx.tenant.id]);
    const [counts] = await sql.query<{ documents: bigint; allocations: bigint }>(
      `SELECT (SELECT count(*) FROM documents WHERE tenant_id = $1)::int8 AS documents,
              (SELECT count(*) FROM allocations WHERE tenant_id = $1)::int8 AS allocations`, [ctx.tenant.id]);
    return {
      items: items.map((i) => `${i.number}#${i.seq} open ${i.openMinor} of ${i.amountMinor}`).sort(),
      documents: Number(counts!.documents),
      allocations: Number(counts!.allocations),
    };
  });
}

function modelState(model: Model) {
  return {
    items: [...model.documents.values()].flatMap((d) => d.items.map((i) => `${d.number}#${i.seq} open ${i.openMinor} of ${i.amountMinor}`)).sort(),
    documents: model.documents.size,
    allocations: model.allocations.length,
  };
}

/** The checks a finance user would make at the end: each document's open, each customer's balance, the ledger check. */
async function checkEverything(ctx: Context, model: Model): Promise<void> {
  await ctx.db.tenant(ctx.tenant.id, async (sql) => {
    for (const doc of model.documents.values()) {
      const seen = await getDocument(ctx, sql, doc.id);
      const open = minorOf(seen.open);
      expect(open, `${doc.number} open`).toBe(openOf(doc));
      expect(open >= 0n && open <= minorOf(seen.amount), `${doc.number}: open ${open} within its amount ${seen.amount}`).toBe(true);
      for (const item of seen.items!) expect(minorOf(item.open) >= 0n && minorOf(item.open) <= minorOf(item.amount)).toBe(true);
      expect(seen.status === 'reversed', `${doc.number} status ${seen.status}`).toBe(doc.reversed || doc.kind === 'reversal');
    }
    for (const customer of ['C1', 'C2'] as const) {
      const mine = [...model.documents.values()].filter((d) => d.customer === customer);
      const receivable = mine.filter((d) => d.side === 'debit').reduce((s, d) => s + openOf(d), 0n);
      const unapplied = mine.filter((d) => d.side === 'credit').reduce((s, d) => s + openOf(d), 0n);
      const { balances } = await customerBalance(ctx, sql, customer);
      const cny = balances.find((b) => b.currency === 'CNY');
      expect(balances.filter((b) => b.currency !== 'CNY')).toEqual([]);
      expect(cny ? minorOf(cny.receivable) : 0n, `${customer} receivable`).toBe(receivable);
      expect(cny ? minorOf(cny.unapplied) : 0n, `${customer} unapplied`).toBe(unapplied);
      expect(cny ? minorOf(cny.receivable) - minorOf(cny.unapplied) : 0n, `${customer} net`).toBe(receivable - unapplied);
      if (cny) expect(minorOf(cny.net)).toBe(receivable - unapplied);
    }
  });
  const report = await verifyLedger(ctx, false);
  expect(report.problems).toEqual([]);
  expect(report.documents).toBe(model.documents.size);
  expect(report.allocations).toBe(model.allocations.length);
}

// ---------------------------------------------------------------------------------------------------------------

let test: TestDatabase;

beforeAll(async () => {
  test = await openTestDatabase();
});
afterAll(async () => test?.drop());

/** A fresh tenant per run (cheaper than a fresh database): NET30 and a three-part installment plan, two customers. */
async function freshLedger(): Promise<Context> {
  const ctx = contextFor(test.db, await makeTenant(test.db));
  await createTerms(ctx, { code: 'NET30', net: 30 });
  await createTerms(ctx, { code: 'SPLIT3', installments: '20@0,30@30,50@30' });
  await createCustomer(ctx, { code: 'C1', name: '上海甲公司', paymentTerms: 'NET30' });
  await createCustomer(ctx, { code: 'C2', name: 'Beta Ltd' });
  return ctx;
}

describe('ledger services against a model', () => {
  it('keep every open amount, balance and the ledger check equal to the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 25, size: 'max' }), async (commands) => {
        const ctx = await freshLedger();
        const model: Model = { documents: new Map(), allocations: [] };
        for (const [index, command] of commands.entries()) {
          try {
            await step(ctx, model, command);
            // Accepted or refused, the ledger is what the model says (so a refusal changed nothing).
            expect(await ledgerState(ctx)).toEqual(modelState(model));
          } catch (error) {
            if (error instanceof Error) error.message = `command ${index} ${stringify(command)}: ${error.message}`;
            throw error;
          }
        }
        await checkEverything(ctx, model);
      }),
      { numRuns: 15 },
    );
  }, 180_000);
});

