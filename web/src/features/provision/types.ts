/** The provision API's shapes (src/modules/provision), as the page reads them. */
export type Method = 'aging' | 'ecl';

export interface Bucket { key: string; fromDays: number | null; toDays: number | null }

export interface ProvisionReport {
  asOf: string;
  method: Method;
  currency: string;
  rounding: string;
  buckets: Bucket[];
  byBucket: { bucket: string; balance: string; rate: string | null; allowance: string }[];
  customers: {
    customer: string; name: string; segment: string | null; balance: string; allowance: string;
    buckets: Record<string, { balance: string; rate: string; allowance: string }>;
  }[];
  totals: { balance: string; allowance: string };
  rates?: { default: Record<string, string>; segments: Record<string, Record<string, string>> };
  matrix?: {
    months: number; factor: string; terminal: string;
    rollRates: {
      from: string; to: string; sumFrom: string; sumTo: string; rate: string; fraction: string; noHistory: boolean; capped: boolean;
      steps: { monthEnd: string; nextMonthEnd: string; from: string; to: string; rate: string | null }[];
    }[];
    lossRates: { bucket: string; chain: string[]; historical: string; rate: string; fraction: string }[];
  };
  movement: Movement;
}

export interface Movement {
  previousRun: { id: string; periodEnd: string; method: Method } | null;
  from: string | null;
  opening: string; charge: string; utilised: string; recovered: string; closing: string;
  customers: { customer: string; name: string; opening: string; charge: string; utilised: string; recovered: string; closing: string }[];
}

export interface Run {
  id: string; periodEnd: string; method: Method; currency: string; allowance: string; charge: string;
  supersedes: string | null; supersededBy: string | null; reason: string | null; createdAt: string; createdBy: string;
}

export interface Account { code: string; name: string }

export interface Settings {
  buckets: string;
  rates: Record<string, string>;
  segments: Record<string, Record<string, string>>;
  ecl: { months: number; factor: string; buckets: string };
  accounts: { impairmentLoss: Account; allowance: Account };
}
