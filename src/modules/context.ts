/** What every use case gets: the database, the tenant it acts for, who acts, and the clock (never a hidden one). */
import type { Database } from '../db/database.ts';
import type { Tenant } from './tenants/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { Principal } from './access/index.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Context {
  db: Database;
  tenant: Tenant;
  /** The user or system acting: `cli:root`, `api`, `import:invoices.csv`. Issue 3 puts real users here. */
  actor: string;
  /** The signed-in user or API token behind the request (absent for the CLI and jobs, which act as the system). */
  principal?: Principal;
  clock: Clock;
  /** Where follow-up work is enqueued, inside the change's transaction; absent where no queue runs (tests). */
  jobs?: JobQueue;
}
