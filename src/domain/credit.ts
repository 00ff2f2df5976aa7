/**
 * Credit assessment (issue 5): financial ratios and Altman Z-scores from a period's statements, payment behaviour
 * from the ledger's payments, a transparent points scorecard, the grade's policy and the recommended limit with each
 * cap shown. Pure functions over plain data: no I/O, no clock (every caller passes its as-of date).
 *
 * Rounding: money stays integer minor units; ratios and Z-scores are exact fractions of bigints rounded half away
 * from zero (roundHalfUp) to 4 decimal places, returned as decimal strings ("1.2345"). A zero denominator gives
 * `{ value: null, reason }`, never NaN or Infinity. Zones and scorecard bins compare the rounded 4-place value.
 */
import { addDays, daysBetween, type LocalDate } from './dates.ts';
import { invalid } from './errors.ts';
import { minBig, roundHalfUp } from './money.ts';

export const RATIO_DECIMALS = 4;
const RATIO_SCALE = 10n ** BigInt(RATIO_DECIMALS);

/** One period's statements, every figure in minor units of `currency`. */
export interface Financials {
  periodEnd: LocalDate;
  currency: string;
  currentAssetsMinor: bigint;
  cashMinor: bigint;
  inventoryMinor: bigint;
  receivablesMinor: bigint;
  totalAssetsMinor: bigint;
  currentLiabilitiesMinor: bigint;
  totalLiabilitiesMinor: bigint;
  equityMinor: bigint;
  retainedEarningsMinor: bigint;
  salesMinor: bigint;
  ebitMinor: bigint;
  netIncomeMinor: bigint;
  interestExpenseMinor: bigint;
}

export const FINANCIAL_FIELDS = [
  'currentAssets', 'cash', 'inventory', 'receivables', 'totalAssets', 'currentLiabilities', 'totalLiabilities', 'equity',
  'retainedEarnings', 'sales', 'ebit', 'netIncome', 'interestExpense',
] as const;
export type FinancialField = (typeof FINANCIAL_FIELDS)[number];

/** A ratio rounded to 4 places, or why it cannot be computed. */
export type Measure = { value: string; units: bigint } | { value: null; reason: string };

/** units / 10^4 as "1.2345" (sign kept). */
export function formatUnits(units: bigint): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(RATIO_DECIMALS + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -RATIO_DECIMALS)}.${digits.slice(-RATIO_DECIMALS)}`;
}

/** numerator / denominator rounded half-up to 4 places; "not computable" when the denominator is zero. */
export function ratio(numerator: bigint, denominator: bigint, reason: string): Measure {
  if (denominator === 0n) return { value: null, reason };
  const units = roundHalfUp(numerator * RATIO_SCALE, denominator);
  return { value: formatUnits(units), units };
}

export interface Ratios {
  current: Measure;
  quick: Measure;
  cash: Measure;
  debt: Measure;
  interestCoverage: Measure;
  workingCapitalMinor: bigint;
}

/**
 * current = CA / CL; quick = (CA − inventory) / CL; cash ratio (现金比率) = cash / CL; debt ratio = TL / TA;
 * interest coverage = EBIT / interest expense; working capital = CA − CL (money).
 */
export function ratiosOf(f: Financials): Ratios {
  const noCl = 'current liabilities are zero';
  return {
    current: ratio(f.currentAssetsMinor, f.currentLiabilitiesMinor, noCl),
    quick: ratio(f.currentAssetsMinor - f.inventoryMinor, f.currentLiabilitiesMinor, noCl),
    cash: ratio(f.cashMinor, f.currentLiabilitiesMinor, noCl),
    debt: ratio(f.totalLiabilitiesMinor, f.totalAssetsMinor, 'total assets are zero'),
    interestCoverage: ratio(f.ebitMinor, f.interestExpenseMinor, 'interest expense is zero'),
    workingCapitalMinor: f.currentAssetsMinor - f.currentLiabilitiesMinor,
  };
}

export const Z_MODELS = ['public', 'private', 'nonManufacturing'] as const;
export type ZModel = (typeof Z_MODELS)[number];
export type Zone = 'distress' | 'grey' | 'safe';

/**
 * Altman's coefficients in thousandths, and the zone cut-offs in 4-place units. A = working capital / TA,
 * B = retained earnings / TA, C = EBIT / TA, D = equity / total liabilities (book equity in all three forms: arflow
 * has no market value; Altman 1968 uses market value for the public form), E = sales / TA.
 * public Z (1968): 1.2A + 1.4B + 3.3C + 0.6D + 1.0E, distress < 1.81, safe > 2.99.
 * private Z' (1983): 0.717A + 0.847B + 3.107C + 0.420D' + 0.998E, distress < 1.23, safe > 2.90.
 * Z'' (non-manufacturing, 1995): 6.56A + 3.26B + 6.72C + 1.05D'', distress < 1.10, safe > 2.60 — without the
 * emerging-market constant 3.25 (that variant has its own cut-offs).
 */
export const Z_FORMS: Readonly<Record<ZModel, { a: bigint; b: bigint; c: bigint; d: bigint; e: bigint; distressBelow: bigint; safeAbove: bigint; formula: string }>> = {
  public: { a: 1200n, b: 1400n, c: 3300n, d: 600n, e: 1000n, distressBelow: 18100n, safeAbove: 29900n, formula: 'Z = 1.2A + 1.4B + 3.3C + 0.6D + 1.0E' },
  private: { a: 717n, b: 847n, c: 3107n, d: 420n, e: 998n, distressBelow: 12300n, safeAbove: 29000n, formula: "Z' = 0.717A + 0.847B + 3.107C + 0.420D + 0.998E" },
  nonManufacturing: { a: 6560n, b: 3260n, c: 6720n, d: 1050n, e: 0n, distressBelow: 11000n, safeAbove: 26000n, formula: "Z'' = 6.56A + 3.26B + 6.72C + 1.05D" },
};

export type ZScore = { model: ZModel; value: string; units: bigint; zone: Zone } | { model: ZModel; value: null; reason: string };

export function zoneOf(model: ZModel, units: bigint): Zone {
  const form = Z_FORMS[model];
  return units < form.distressBelow ? 'distress' : units > form.safeAbove ? 'safe' : 'grey';
}

/**
 * One Z form computed as one exact fraction: Z = (a·WC + b·RE + c·EBIT + e·S)/(1000·TA) + d·Eq/(1000·TL), so the
 * only rounding is the final half-up to 4 places.
 */
export function zScore(f: Financials, model: ZModel): ZScore {
  if (f.totalAssetsMinor === 0n) return { model, value: null, reason: 'total assets are zero' };
  if (f.totalLiabilitiesMinor === 0n) return { model, value: null, reason: 'total liabilities are zero (D = equity / total liabilities)' };
  const k = Z_FORMS[model];
  const wc = f.currentAssetsMinor - f.currentLiabilitiesMinor;
  const overTa = k.a * wc + k.b * f.retainedEarningsMinor + k.c * f.ebitMinor + k.e * f.salesMinor;
  const numerator = overTa * f.totalLiabilitiesMinor + k.d * f.equityMinor * f.totalAssetsMinor;
  const denominator = 1000n * f.totalAssetsMinor * f.totalLiabilitiesMinor;
  const units = roundHalfUp(numerator * RATIO_SCALE, denominator);
  return { model, value: formatUnits(units), units, zone: zoneOf(model, units) };
}

// ---------------------------------------------------------------------------------------------------------------
// Payment behaviour.

/** One payment applied to a sales item: when, how much, and the item's due date. */
export interface PaidItem {
  paidOn: LocalDate;
  dueOn: LocalDate;
  amountMinor: bigint;
}

export interface Behaviour {
  asOf: LocalDate;
  paidMinor: bigint;
  payments: number;
  /** Σ amount × max(0, paid − due) / Σ amount over the last 12 months. */
  averageDaysBeyondTerms: Measure;
  recentDaysBeyondTerms: Measure;
  earlierDaysBeyondTerms: Measure;
  /** recent − earlier (positive: paying later than before). */
  trendDays: Measure;
  /** Amount paid after its due date / amount paid. */
  lateShare: Measure;
  longestDelayDays: number | null;
  reversedPayments: number;
  /** Promises to pay whose deadline (date + grace) fell in the 12 months and that were broken or only partly kept. */
  brokenPromises: number;
  /** Disputes raised in the 12 months. */
  disputes: number;
}

/** What collections recorded about a customer in the 12 months to the as-of date. */
export interface CollectionFacts {
  brokenPromises: number;
  disputes: number;
}

/**
 * Payment behaviour at `asOf` from payments in the 12 months up to it: the last 3 months are (asOf − 3 months, asOf],
 * the 9 before are (asOf − 12 months, asOf − 3 months]; months counted as 91 and 365 days.
 */
export function behaviourOf(asOf: LocalDate, paid: readonly PaidItem[], reversedPayments: number, collections: CollectionFacts = { brokenPromises: 0, disputes: 0 }): Behaviour {
  const recentFrom = addDays(asOf, -91);
  const from = addDays(asOf, -365);
  const sums = (rows: readonly PaidItem[]) => {
    let amount = 0n;
    let weighted = 0n;
    let late = 0n;
    for (const r of rows) {
      const beyond = BigInt(Math.max(0, daysBetween(r.dueOn, r.paidOn)));
      amount += r.amountMinor;
      weighted += r.amountMinor * beyond;
      if (beyond > 0n) late += r.amountMinor;
    }
    return { amount, weighted, late };
  };
  const window = paid.filter((p) => p.paidOn > from && p.paidOn <= asOf);
  const all = sums(window);
  const recent = sums(window.filter((p) => p.paidOn > recentFrom));
  const earlier = sums(window.filter((p) => p.paidOn <= recentFrom));
  const none = 'no payments in the period';
  const recentAvg = ratio(recent.weighted, recent.amount, 'no payments in the last 3 months');
  const earlierAvg = ratio(earlier.weighted, earlier.amount, 'no payments in the 9 months before');
  const trend: Measure = recentAvg.value !== null && earlierAvg.value !== null
    ? { value: formatUnits(recentAvg.units - earlierAvg.units), units: recentAvg.units - earlierAvg.units }
    : { value: null, reason: recentAvg.value === null ? recentAvg.reason : (earlierAvg as { reason: string }).reason };
  const delays = window.map((p) => Math.max(0, daysBetween(p.dueOn, p.paidOn)));
  return {
    asOf,
    paidMinor: all.amount,
    payments: window.length,
    averageDaysBeyondTerms: ratio(all.weighted, all.amount, none),
    recentDaysBeyondTerms: recentAvg,
    earlierDaysBeyondTerms: earlierAvg,
    trendDays: trend,
    lateShare: ratio(all.late, all.amount, none),
    longestDelayDays: delays.length ? Math.max(...delays) : null,
    reversedPayments,
    brokenPromises: collections.brokenPromises,
    disputes: collections.disputes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Scorecard.

/** What a factor reads. Financial ones from the latest statements, behavioural from the ledger, the rest from the file. */
export const FACTOR_INPUTS = [
  'currentRatio', 'quickRatio', 'cashRatio', 'debtRatio', 'interestCoverage', 'zScore',
  'averageDaysBeyondTerms', 'lateShare', 'trendDays', 'reversedPayments', 'brokenPromises', 'disputes',
  'externalRating', 'yearsInBusiness', 'reputation', 'industryRisk', 'insured',
] as const;
export type FactorInput = (typeof FACTOR_INPUTS)[number];

/** A numeric bin: values ≥ min (4-place decimal) fall in the highest bin they reach. Categorical: exact match. */
export interface Bin {
  /** Numeric factors: the lower bound, inclusive, as a decimal string; the first bin should be open ("-999999"). */
  min?: string;
  /** Categorical factors: the value matched. */
  equals?: string;
  /** Points on 0–100 for the factor (then weighted). */
  points: number;
}

export interface Factor {
  key: string;
  input: FactorInput;
  group: 'financial' | 'behavioural' | 'external' | 'qualitative';
  /** Weight in whole percent; the weights of a scorecard add up to 100. */
  weight: number;
  bins: Bin[];
  /** Points when the input is missing or not computable. */
  missingPoints: number;
}

export interface GradePolicy {
  grade: string;
  /** Lowest score of the grade. */
  minScore: number;
  limit: { kind: 'fixed'; amount: string } | { kind: 'equityPercent'; percent: number } | { kind: 'salesPercent'; percent: number };
  termsCode: string;
  prepayment: boolean;
  guarantee: boolean;
  reviewMonths: number;
}

export interface Scorecard {
  factors: Factor[];
  grades: GradePolicy[];
}

/** The value a factor sees: 4-place units for numbers, text for categories, or missing with a reason. */
export type InputValue = { units: bigint } | { text: string } | { missing: string };

export interface FactorResult {
  key: string;
  input: FactorInput;
  group: Factor['group'];
  weight: number;
  value: string | null;
  /** The factor's 0–100 points before weighting. */
  points: number;
  /** points × weight / 100, in hundredths of a score point (integer). */
  contributionHundredths: number;
  note?: string;
}

export interface ScoreResult {
  factors: FactorResult[];
  /** Σ contributions rounded half-up to a whole score 0–100. */
  score: number;
  grade: string;
}

function unitsOf(text: string, field: string): bigint {
  const m = /^(-)?(\d{1,12})(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (!m) throw invalid('INVALID_SCORECARD', `${field}: "${text}" is not a decimal with at most 4 places`, [{ field, message: 'not a decimal' }]);
  const units = BigInt(m[2]!) * RATIO_SCALE + BigInt((m[3] ?? '').padEnd(RATIO_DECIMALS, '0'));
  return m[1] ? -units : units;
}

/** Checks a scorecard beyond its JSON form: weights add to 100, bins ordered, grades descending ending at 0. */
export function checkScorecard(s: Scorecard): void {
  const problems: { field: string; message: string }[] = [];
  const total = s.factors.reduce((sum, f) => sum + f.weight, 0);
  if (total !== 100) problems.push({ field: 'factors', message: `the weights add up to ${total}; make them add up to 100` });
  s.factors.forEach((f, i) => {
    if (f.bins.length === 0) problems.push({ field: `factors.${i}.bins`, message: 'give at least one bin' });
    const numeric = f.bins.every((b) => b.min !== undefined);
    const categorical = f.bins.every((b) => b.equals !== undefined);
    if (!numeric && !categorical) problems.push({ field: `factors.${i}.bins`, message: 'give every bin a "min" (numeric factor) or every bin an "equals" (category)' });
    if (numeric) {
      const mins = f.bins.map((b, j) => unitsOf(b.min!, `factors.${i}.bins.${j}.min`));
      if (mins.some((m, j) => j > 0 && m <= mins[j - 1]!)) problems.push({ field: `factors.${i}.bins`, message: 'list the bins by increasing "min"' });
    }
  });
  if (new Set(s.factors.map((f) => f.key)).size !== s.factors.length) problems.push({ field: 'factors', message: 'factor keys must be unique' });
  if (s.grades.length === 0) problems.push({ field: 'grades', message: 'give at least one grade' });
  if (s.grades.some((g, i) => i > 0 && g.minScore >= s.grades[i - 1]!.minScore)) problems.push({ field: 'grades', message: 'list the grades from best to worst by decreasing minScore' });
  if (s.grades.length && s.grades[s.grades.length - 1]!.minScore !== 0) problems.push({ field: 'grades', message: 'the last grade must start at minScore 0 so every score has a grade' });
  if (problems.length) throw invalid('INVALID_SCORECARD', `scorecard: ${problems[0]!.field}: ${problems[0]!.message}`, problems);
}

/** Points of one factor for one input: the highest numeric bin whose min the value reaches, or the matching category. */
export function pointsOf(f: Factor, v: InputValue): { points: number; note?: string } {
  if ('missing' in v) return { points: f.missingPoints, note: v.missing };
  if ('text' in v) {
    const bin = f.bins.find((b) => b.equals === v.text);
    return bin ? { points: bin.points } : { points: f.missingPoints, note: `no bin for "${v.text}"` };
  }
  let points: number | null = null;
  for (const b of f.bins) if (b.min !== undefined && v.units >= unitsOf(b.min, f.key)) points = b.points;
  return points === null ? { points: f.missingPoints, note: 'below the lowest bin' } : { points };
}

/**
 * Score = Σ points × weight / 100, rounded half-up to a whole number 0–100 (kept in hundredths until then);
 * the grade is the first (best) whose minScore the score reaches.
 */
export function scoreOf(s: Scorecard, inputs: Partial<Record<FactorInput, InputValue>>): ScoreResult {
  const factors = s.factors.map((f): FactorResult => {
    const v = inputs[f.input] ?? { missing: 'no data' };
    const { points, note } = pointsOf(f, v);
    const value = 'units' in v ? formatUnits(v.units) : 'text' in v ? v.text : null;
    return { key: f.key, input: f.input, group: f.group, weight: f.weight, value, points, contributionHundredths: points * f.weight, ...(note ? { note } : {}) };
  });
  const hundredths = factors.reduce((sum, f) => sum + f.contributionHundredths, 0);
  const score = Math.min(100, Math.max(0, Number(roundHalfUp(BigInt(hundredths), 100n))));
  const grade = s.grades.find((g) => score >= g.minScore) ?? s.grades[s.grades.length - 1]!;
  return { factors, score, grade: grade.grade };
}

// ---------------------------------------------------------------------------------------------------------------
// Recommended limit.

export interface LimitCap {
  kind: 'policy' | 'insured' | 'group';
  amountMinor: bigint | null;
  explanation: string;
}

export interface LimitInputs {
  policy: GradePolicy;
  /** Major→minor parsed fixed amount for a fixed policy limit. */
  fixedMinor?: bigint;
  equityMinor: bigint | null;
  annualSalesMinor: bigint | null;
  insuredLimitMinor: bigint | null;
  group: { limitMinor: bigint; otherMembersOpenMinor: bigint; parent: string } | null;
}

/**
 * Recommended limit = min over the caps that apply: the grade's policy limit (fixed, or percent of equity or of
 * annual sales, rounded half-up to the minor unit), the insured limit when insured, and what the group's limit
 * leaves after the other members' open receivables (never below zero).
 */
export function recommendedLimit(x: LimitInputs): { amountMinor: bigint | null; caps: LimitCap[] } {
  const caps: LimitCap[] = [];
  const p = x.policy.limit;
  if (p.kind === 'fixed') {
    caps.push({ kind: 'policy', amountMinor: x.fixedMinor ?? 0n, explanation: `grade ${x.policy.grade}: fixed ${p.amount}` });
  } else {
    const base = p.kind === 'equityPercent' ? x.equityMinor : x.annualSalesMinor;
    const of = p.kind === 'equityPercent' ? 'equity' : 'annual sales';
    caps.push(base === null
      ? { kind: 'policy', amountMinor: null, explanation: `grade ${x.policy.grade}: ${p.percent}% of ${of}, but no ${of} on file` }
      : { kind: 'policy', amountMinor: base <= 0n ? 0n : roundHalfUp(base * BigInt(p.percent), 100n), explanation: `grade ${x.policy.grade}: ${p.percent}% of ${of}` });
  }
  if (x.insuredLimitMinor !== null) caps.push({ kind: 'insured', amountMinor: x.insuredLimitMinor, explanation: 'insured limit of the trade credit insurance in force' });
  if (x.group) {
    const left = x.group.limitMinor - x.group.otherMembersOpenMinor;
    caps.push({ kind: 'group', amountMinor: left < 0n ? 0n : left, explanation: `group ${x.group.parent}: group limit − other members' open receivables` });
  }
  const known = caps.map((c) => c.amountMinor).filter((a): a is bigint => a !== null);
  return { amountMinor: known.length ? known.reduce(minBig) : null, caps };
}

// ---------------------------------------------------------------------------------------------------------------
// Model evaluation: AUC and KS of a score against good/bad outcomes.

/**
 * Area under the ROC curve: the probability that a random bad has a higher risk score than a random good, ties
 * counting one half (Mann–Whitney). `bad[i]` is true for a bad outcome; higher score = riskier.
 */
export function auc(scores: readonly number[], bad: readonly boolean[]): number {
  const idx = scores.map((s, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumBad = 0;
  let nBad = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (bad[idx[k]!]) { rankSumBad += avgRank; nBad++; }
    i = j + 1;
  }
  const nGood = scores.length - nBad;
  if (nBad === 0 || nGood === 0) return Number.NaN;
  return (rankSumBad - (nBad * (nBad + 1)) / 2) / (nBad * nGood);
}

/** Kolmogorov–Smirnov: the largest gap between the cumulative shares of bads and goods over the score thresholds. */
export function ks(scores: readonly number[], bad: readonly boolean[]): number {
  const idx = scores.map((s, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const nBad = bad.filter(Boolean).length;
  const nGood = bad.length - nBad;
  if (nBad === 0 || nGood === 0) return Number.NaN;
  let cumBad = 0;
  let cumGood = 0;
  let best = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    for (let k = i; k <= j; k++) if (bad[idx[k]!]) cumBad++; else cumGood++;
    best = Math.max(best, Math.abs(cumBad / nBad - cumGood / nGood));
    i = j + 1;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// The default scorecard (docs/credit.md explains each factor). Bins on ratios follow common credit practice; the
// Z-score factor reads the zone of the form chosen in the credit file (private Z' unless set).

const OPEN = '-999999';
export const DEFAULT_SCORECARD: Scorecard = {
  factors: [
    { key: 'current', input: 'currentRatio', group: 'financial', weight: 10, missingPoints: 30, bins: [{ min: OPEN, points: 0 }, { min: '1', points: 40 }, { min: '1.5', points: 70 }, { min: '2', points: 100 }] },
    { key: 'debt', input: 'debtRatio', group: 'financial', weight: 10, missingPoints: 30, bins: [{ min: OPEN, points: 100 }, { min: '0.5', points: 70 }, { min: '0.7', points: 30 }, { min: '0.9', points: 0 }] },
    { key: 'coverage', input: 'interestCoverage', group: 'financial', weight: 10, missingPoints: 50, bins: [{ min: OPEN, points: 0 }, { min: '1.5', points: 40 }, { min: '3', points: 70 }, { min: '6', points: 100 }] },
    { key: 'zScore', input: 'zScore', group: 'financial', weight: 15, missingPoints: 40, bins: [{ equals: 'distress', points: 0 }, { equals: 'grey', points: 50 }, { equals: 'safe', points: 100 }] },
    { key: 'daysBeyondTerms', input: 'averageDaysBeyondTerms', group: 'behavioural', weight: 20, missingPoints: 60, bins: [{ min: OPEN, points: 100 }, { min: '1', points: 80 }, { min: '15', points: 50 }, { min: '30', points: 20 }, { min: '60', points: 0 }] },
    { key: 'lateShare', input: 'lateShare', group: 'behavioural', weight: 10, missingPoints: 60, bins: [{ min: OPEN, points: 100 }, { min: '0.1', points: 70 }, { min: '0.3', points: 40 }, { min: '0.6', points: 0 }] },
    { key: 'trend', input: 'trendDays', group: 'behavioural', weight: 5, missingPoints: 50, bins: [{ min: OPEN, points: 100 }, { min: '5', points: 50 }, { min: '15', points: 0 }] },
    { key: 'rating', input: 'externalRating', group: 'external', weight: 10, missingPoints: 50, bins: [
      { equals: 'AAA', points: 100 }, { equals: 'AA', points: 95 }, { equals: 'A', points: 90 }, { equals: 'BBB', points: 75 },
      { equals: 'BB', points: 50 }, { equals: 'B', points: 30 }, { equals: 'CCC', points: 10 }, { equals: 'D', points: 0 }] },
    { key: 'years', input: 'yearsInBusiness', group: 'qualitative', weight: 5, missingPoints: 40, bins: [{ min: OPEN, points: 20 }, { min: '3', points: 50 }, { min: '10', points: 80 }, { min: '20', points: 100 }] },
    { key: 'reputation', input: 'reputation', group: 'qualitative', weight: 5, missingPoints: 50, bins: [{ equals: 'good', points: 100 }, { equals: 'average', points: 60 }, { equals: 'poor', points: 0 }] },
  ],
  grades: [
    { grade: 'A', minScore: 80, limit: { kind: 'equityPercent', percent: 20 }, termsCode: 'NET60', prepayment: false, guarantee: false, reviewMonths: 12 },
    { grade: 'B', minScore: 65, limit: { kind: 'equityPercent', percent: 10 }, termsCode: 'NET45', prepayment: false, guarantee: false, reviewMonths: 6 },
    { grade: 'C', minScore: 50, limit: { kind: 'salesPercent', percent: 5 }, termsCode: 'NET30', prepayment: false, guarantee: false, reviewMonths: 3 },
    { grade: 'D', minScore: 35, limit: { kind: 'fixed', amount: '50000.00' }, termsCode: 'NET15', prepayment: false, guarantee: true, reviewMonths: 2 },
    { grade: 'E', minScore: 0, limit: { kind: 'fixed', amount: '0.00' }, termsCode: 'PREPAY', prepayment: true, guarantee: false, reviewMonths: 1 },
  ],
};
