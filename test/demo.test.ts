/** The demo company a new user meets at `npm start`: its users sign in, each with their role. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo, DEMO_PASSWORD, DEMO_USERS } from '../src/demo/demo.ts';
import { signIn } from '../src/modules/access/index.ts';
import { listApprovals } from '../src/modules/approvals/index.ts';
import { searchAudit } from '../src/modules/audit/search.ts';
import { listTenants } from '../src/modules/tenants/index.ts';
import { fixedClock, openTestDatabase, type TestDatabase } from './support.ts';

const CLOCK = fixedClock('2026-06-30T04:00:00Z');
let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => t?.drop());

describe('the demo company', () => {
  it('has one user per role who signs in with the documented password, and customers the collector and sales person own', async () => {
    const summary = await createDemo(t.db, CLOCK, { customers: 40, invoices: 300, seed: 7 });
    expect(summary).toMatchObject({ tenant: 'DEMO', customers: 40 });
    expect(new Set(DEMO_USERS.map((u) => u.role)).size).toBe(7);
    for (const user of DEMO_USERS) {
      const signedIn = await signIn(t.db, CLOCK, { email: user.email, password: DEMO_PASSWORD }, {});
      expect(signedIn.principal).toMatchObject({ role: user.role, mustChangePassword: false });
      expect(signedIn.tenant.code).toBe('DEMO');
    }
    const [owned] = await t.db.system((sql) => sql.query<{ collector: bigint; sales: bigint }>(
      `SELECT count(*) FILTER (WHERE collector = '赵敏')::int8 AS collector, count(*) FILTER (WHERE salesperson = '王磊')::int8 AS sales FROM customers`));
    expect(owned!.collector).toBeGreaterThan(0n);
    expect(owned!.sales).toBeGreaterThan(0n);
  });

  it('shows the approvals inbox at work: requests by different users waiting for a second person, one already approved and done', async () => {
    const tenant = (await listTenants(t.db)).find((x) => x.code === 'DEMO')!;
    const ctx = { db: t.db, tenant, clock: CLOCK, actor: 'test' };
    const { items } = await t.db.tenant(tenant.id, (sql) => listApprovals(ctx, sql, { limit: 50 }));
    const pending = items.filter((a) => a.status === 'pending');
    expect(pending.map((a) => [a.action, a.requestedBy]).sort()).toEqual([
      ['customer.credit', 'credit@demo.example'], ['document.reverse', 'finance@demo.example'], ['write_off.post', 'finance@demo.example'],
    ]);
    expect(pending.every((a) => a.subject !== null)).toBe(true);
    const [approved] = items.filter((a) => a.status === 'approved');
    expect(approved).toMatchObject({ action: 'customer.credit', requestedBy: 'credit@demo.example', requestedByName: '郑涛', decidedBy: 'admin@demo.example', decidedByName: '管理员' });
    // The approved increase is done: the customer's limit is what was asked for.
    const subject = approved!.subject as { kind: 'credit'; customer: { code: string }; creditLimit: { now: string; requested: string } };
    expect(subject.creditLimit.now).toBe(subject.creditLimit.requested);
    // Requested and decided through the real services: each is in the audit trail under its user.
    const requests = await t.db.tenant(tenant.id, (sql) => searchAudit(ctx, sql, { action: 'approval.' }));
    expect(requests.items.map((e) => `${e.action} ${e.actor}`).sort()).toEqual([
      'approval.approve admin@demo.example', 'approval.request credit@demo.example', 'approval.request credit@demo.example',
      'approval.request finance@demo.example', 'approval.request finance@demo.example',
    ]);
  });
});
