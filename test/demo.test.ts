/** The demo company a new user meets at `npm start`: its users sign in, each with their role. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo, DEMO_PASSWORD, DEMO_USERS } from '../src/demo/demo.ts';
import { signIn } from '../src/modules/access/index.ts';
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
});
