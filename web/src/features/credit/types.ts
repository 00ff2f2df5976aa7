/** What the credit API answers (src/modules/credit). Amounts are decimal strings in major units. */
export type Measure = { value: string; reason?: undefined } | { value: null; reason: string };
export type ZScore = { model: 'public' | 'private' | 'nonManufacturing'; value: string | null; zone?: 'distress' | 'grey' | 'safe'; reason?: string };

export interface Statement {
  id: string;
  periodEnd: string;
  currency: string;
  source: string;
  figures: Record<string, string>;
  ratios: { current: Measure; quick: Measure; cash: Measure; debt: Measure; interestCoverage: Measure; workingCapital: string };
  zScores: ZScore[];
}

export interface Behaviour {
  asOf: string;
  paid: string;
  payments: number;
  averageDaysBeyondTerms: Measure;
  recentDaysBeyondTerms: Measure;
  earlierDaysBeyondTerms: Measure;
  trendDays: Measure;
  lateShare: Measure;
  longestDelayDays: number | null;
  reversedPayments: number;
  brokenPromises: number;
  disputes: number;
}

export interface Factor { key: string; input: string; group: string; weight: number; value: string | null; points: number; contribution: string; note?: string }
export interface Cap { kind: 'policy' | 'insured' | 'group'; amount: string | null; explanation: string }
export interface Policy { termsCode: string; prepayment: boolean; guarantee: boolean; reviewMonths: number }

export interface Assessment {
  id: string;
  asOf: string;
  score: number;
  grade: string;
  recommendedLimit: string | null;
  tookEffect: boolean;
  createdBy?: string;
  factors: Factor[];
  caps: Cap[];
  policy: Policy;
  reviewDue?: string;
  currency?: string;
}

export interface CreditFileView {
  customer: { code: string; name: string; currency: string; parent: string | null; creditLimit: string | null; terms: string | null };
  asOf: string;
  version: number;
  file: {
    zModel: 'public' | 'private' | 'nonManufacturing';
    externalRatings: { agency: string; grade: string; date: string }[];
    insurance: { insurer: string; insuredLimit: string; currency: string; validFrom: string; validTo: string; notificationDays: number } | null;
    qualitative: { yearsInBusiness: number | null; reputation: string | null; industryRisk: string | null; ownership: string | null };
    documents: { name: string; kind: string; date: string; reference: string }[];
    groupLimit: string | null;
  };
  profile: { grade: string | null; score: number | null; assessedOn: string | null; reviewDue: string | null } | null;
  statements: Statement[];
  behaviour: Behaviour;
  assessments: Assessment[];
}

export interface ReviewQueue {
  asOf: string;
  total: number;
  rows: { customer: string; name: string; grade: string | null; score: number | null; reviewDue: string | null; reason: string; open: string }[];
}

export interface Scorecard {
  factors: { key: string; input: string; group: string; weight: number; bins: { min?: string; equals?: string; points: number }[]; missingPoints: number }[];
  grades: { grade: string; minScore: number; limit: { kind: 'fixed'; amount: string } | { kind: 'equityPercent' | 'salesPercent'; percent: number }; termsCode: string; prepayment: boolean; guarantee: boolean; reviewMonths: number }[];
}
