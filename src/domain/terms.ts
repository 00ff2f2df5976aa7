/**
 * Payment terms: when an invoice falls due, in how many installments, and what early payment discount it offers.
 * Pure: every function takes the document date; nothing reads a clock.
 *
 * Vocabulary (a finance user's): the *document date* is the invoice date; the *base date* is the document date, or
 * with end-of-month terms (月结) the last day of the invoice month (or of the month `monthsAfterEom` later); the
 * *due date* is base date + net days. Installment days count from the base date; the discount window counts from the
 * document date ("2/10 net 30": 2% off if paid within 10 days of the invoice, otherwise the full amount in 30 days).
 */
import { addDays, addMonths, endOfMonth, startOfMonth, type LocalDate } from './dates.ts';
import { formatDecimal, MAX_DECIMAL_SCALE, parseDecimal, percentOf, type Decimal } from './decimal.ts';
import { invalid, type ErrorDetail } from './errors.ts';
import { currencyScale, splitProportionally } from './money.ts';

export interface InstallmentRule {
  percent: Decimal;
  /** Days counted from the base date. */
  days: number;
}

export interface PaymentTermsRule {
  /** 0..MAX_NET_DAYS, days added to the base date. With installments it equals the last installment's days. */
  netDays: number;
  /** Base date = end of the invoice month (or of a later month, see monthsAfterEom). */
  endOfMonth: boolean;
  /** 0..MAX_MONTHS_AFTER_EOM; base = last day of the month N months after the invoice month. Needs endOfMonth. */
  monthsAfterEom: number;
  /** Early payment discount, e.g. 2% within 10 days of the document date. */
  discount: { percent: Decimal; days: number } | null;
  /** null = one installment due at base + netDays. */
  installments: InstallmentRule[] | null;
}

export interface ScheduledInstallment {
  /** 1-based position in the schedule. */
  seq: number;
  dueDate: LocalDate;
  amountMinor: bigint;
  /** Last day the discount may be taken, or null when there is no discount. */
  discountDate: LocalDate | null;
  /** Discount on this installment if paid by discountDate; 0n without a discount. */
  discountAmountMinor: bigint;
}

export const MAX_NET_DAYS = 3650;
export const MAX_MONTHS_AFTER_EOM = 24;
export const MAX_INSTALLMENTS = 24;

/** Stable error code for every terms problem; `details[].field` says which part. */
export const INVALID_PAYMENT_TERMS = 'INVALID_PAYMENT_TERMS';

/** Plain payment terms: net days from the document date, no discount, no installments. */
export function netTerms(netDays: number): PaymentTermsRule {
  return { netDays, endOfMonth: false, monthsAfterEom: 0, discount: null, installments: null };
}

/** The date the net days (and installment days) count from. */
export function baseDate(rule: PaymentTermsRule, documentDate: LocalDate): LocalDate {
  if (!rule.endOfMonth && rule.monthsAfterEom === 0) return documentDate;
  // From the 1st, so the day never clamps: the month N months later, then its last day.
  return endOfMonth(addMonths(startOfMonth(documentDate), rule.monthsAfterEom));
}

/** When the whole amount is due: base + netDays, or the last installment's due date when there are installments. */
export function dueDate(rule: PaymentTermsRule, documentDate: LocalDate): LocalDate {
  const base = baseDate(rule, documentDate);
  const last = rule.installments?.[rule.installments.length - 1];
  return addDays(base, last ? last.days : rule.netDays);
}

/**
 * The installments of an invoice of `amountMinor` under `rule`. The amounts sum exactly to `amountMinor` (split by
 * largest remainder, see splitProportionally); a negative amount is split the same way, mirrored.
 */
export function schedule(
  rule: PaymentTermsRule,
  documentDate: LocalDate,
  amountMinor: bigint,
  currency: string,
): ScheduledInstallment[] {
  currencyScale(currency); // asserts the currency is known: amounts without one are a programmer error
  checkTermsRule(rule);
  const base = baseDate(rule, documentDate);
  if (rule.installments === null) {
    const discount = rule.discount;
    return [
      {
        seq: 1,
        dueDate: addDays(base, rule.netDays),
        amountMinor,
        discountDate: discount ? addDays(documentDate, discount.days) : null,
        discountAmountMinor: discount ? percentOf(amountMinor, discount.percent) : 0n,
      },
    ];
  }
  // checkTermsRule forbids a discount with installments, so none of these carries one.
  const amounts = splitProportionally(amountMinor, percentWeights(rule.installments.map((i) => i.percent)));
  return rule.installments.map((installment, i) => ({
    seq: i + 1,
    dueDate: addDays(base, installment.days),
    amountMinor: amounts[i]!,
    discountDate: null,
    discountAmountMinor: 0n,
  }));
}

/** The percentages' exact units at their common (largest) scale, so "33.33" and "33.3" weigh 3333 and 3330. */
function percentWeights(percents: readonly Decimal[]): bigint[] {
  const scale = Math.max(...percents.map((p) => p.scale));
  return percents.map((p) => p.units * 10n ** BigInt(scale - p.scale));
}

function isValidDecimal(d: unknown): d is Decimal {
  if (typeof d !== 'object' || d === null) return false;
  const { units, scale } = d as { units?: unknown; scale?: unknown };
  return typeof units === 'bigint' && Number.isInteger(scale) && (scale as number) >= 0 && (scale as number) <= MAX_DECIMAL_SCALE;
}

/** Compares a decimal with a whole number exactly: -1, 0 or 1. */
function compareDecimal(d: Decimal, whole: bigint): number {
  const other = whole * 10n ** BigInt(d.scale);
  return d.units < other ? -1 : d.units > other ? 1 : 0;
}

function isDayCount(value: unknown, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

/**
 * Throws an `invalid` AppError (code INVALID_PAYMENT_TERMS) listing every problem of `rule`, each detail naming its
 * field (`netDays`, `discount.days`, `installments[1].percent`…). Returns normally when the rule is usable.
 */
export function checkTermsRule(rule: PaymentTermsRule): void {
  const problems = termsRuleProblems(rule);
  if (problems.length > 0) {
    throw invalid(
      INVALID_PAYMENT_TERMS,
      `payment terms: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
}

/** Every problem of `rule` as field-named details; empty when the rule is usable. */
export function termsRuleProblems(rule: PaymentTermsRule): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });

  const netOk = isDayCount(rule.netDays, MAX_NET_DAYS);
  if (!netOk) add('netDays', `must be a whole number of days from 0 to ${MAX_NET_DAYS}, got ${String(rule.netDays)}`);
  if (typeof rule.endOfMonth !== 'boolean') add('endOfMonth', 'must be true or false');
  if (!isDayCount(rule.monthsAfterEom, MAX_MONTHS_AFTER_EOM)) {
    add('monthsAfterEom', `must be a whole number from 0 to ${MAX_MONTHS_AFTER_EOM}, got ${String(rule.monthsAfterEom)}`);
  } else if (rule.monthsAfterEom > 0 && rule.endOfMonth !== true) {
    add('monthsAfterEom', 'counts months after the end of the invoice month, so it needs endOfMonth: true');
  }

  const { discount, installments } = rule;
  if (discount !== null) {
    if (!isValidDecimal(discount.percent)) {
      add('discount.percent', 'must be a decimal percentage');
    } else if (compareDecimal(discount.percent, 0n) <= 0 || compareDecimal(discount.percent, 100n) >= 0) {
      add('discount.percent', `must be more than 0 and less than 100, got ${formatDecimal(discount.percent)}`);
    }
    if (!isDayCount(discount.days, MAX_NET_DAYS)) {
      add('discount.days', `must be a whole number of days from 0 to ${MAX_NET_DAYS}, got ${String(discount.days)}`);
    } else if (netOk && discount.days >= rule.netDays) {
      add('discount.days', `must be less than the net days (${rule.netDays}), got ${discount.days}`);
    }
    if (installments !== null) add('discount', 'cannot be combined with installments; use one or the other');
  }

  if (installments !== null) {
    if (!Array.isArray(installments) || installments.length === 0 || installments.length > MAX_INSTALLMENTS) {
      add('installments', `must list 1 to ${MAX_INSTALLMENTS} installments (or be null for a single payment)`);
      return problems;
    }
    const percents: Decimal[] = [];
    let previousDays = 0;
    installments.forEach((installment, i) => {
      const field = `installments[${i}]`;
      if (!isValidDecimal(installment.percent)) {
        add(`${field}.percent`, 'must be a decimal percentage');
      } else if (compareDecimal(installment.percent, 0n) <= 0) {
        add(`${field}.percent`, `must be more than 0, got ${formatDecimal(installment.percent)}`);
      } else {
        percents.push(installment.percent);
      }
      if (!isDayCount(installment.days, MAX_NET_DAYS)) {
        add(`${field}.days`, `must be a whole number of days from 0 to ${MAX_NET_DAYS}, got ${String(installment.days)}`);
      } else {
        if (installment.days < previousDays) {
          add(`${field}.days`, `must not be earlier than the installment before it (${previousDays} days), got ${installment.days}`);
        }
        previousDays = installment.days;
      }
    });
    if (percents.length === installments.length) {
      const scale = Math.max(...percents.map((p) => p.scale));
      const sum = percentWeights(percents).reduce((a, b) => a + b, 0n);
      if (sum !== 100n * 10n ** BigInt(scale)) {
        add('installments', `percentages must add up to exactly 100, they add up to ${formatDecimal({ units: sum, scale })}`);
      }
    }
    const last = installments[installments.length - 1]!;
    if (netOk && isDayCount(last.days, MAX_NET_DAYS) && last.days !== rule.netDays) {
      add('netDays', `with installments must equal the last installment's days (${last.days}), got ${rule.netDays}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Raw strings from the CLI and the API

/** Payment terms as typed on the command line or sent by a form: every value a string, as entered. */
export interface TermsSpec {
  /** "30": net days. Optional with installments (then the last installment's days). Default 0. */
  net?: string;
  /** End-of-month terms (月结): days count from the last day of the invoice month. */
  eom?: boolean;
  /** "1": days count from the end of the month after the invoice month. Implies eom. */
  monthsAfterEom?: string;
  /** "2/10" or "2%/10": 2% discount if paid within 10 days of the invoice date. */
  discount?: string;
  /** "30@0,70@30": 30% due at the base date, 70% 30 days later. */
  installments?: string;
}

/** The option each TermsSpec key is typed as on the CLI, with a correct example for error messages. */
const OPTIONS = {
  net: { option: '--net', example: '--net 30' },
  eom: { option: '--eom', example: '--eom --net 15' },
  monthsAfterEom: { option: '--months-after-eom', example: '--months-after-eom 1' },
  discount: { option: '--discount', example: '--discount 2/10 (2% if paid within 10 days)' },
  installments: { option: '--installments', example: '--installments 30@0,70@30 (30% at once, 70% after 30 days)' },
} as const;
type SpecKey = keyof typeof OPTIONS;

function specError(key: SpecKey, problem: string): never {
  const { option, example } = OPTIONS[key];
  const message = `${option}: ${problem}; e.g. ${example}`;
  throw invalid(INVALID_PAYMENT_TERMS, message, [{ field: key, message }]);
}

/** Blank strings count as "not given", so an empty form field means the default. */
function given(text: string | undefined): string | null {
  if (text === undefined) return null;
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

function parseWholeNumber(key: SpecKey, text: string, max: number, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) > max) specError(key, `"${text}" is not a whole number of ${what} from 0 to ${max}`);
  return Number(text);
}

function parsePercent(key: SpecKey, text: string, where: string): Decimal {
  try {
    return parseDecimal(text, key);
  } catch {
    return specError(key, `${where}"${text}" is not a percentage like 2 or 2.5`);
  }
}

/**
 * Reads payment terms from CLI/API strings and checks them. Errors are `invalid` AppErrors (INVALID_PAYMENT_TERMS)
 * whose detail field is the TermsSpec key (`net`, `discount`…) and whose message names the option and shows an example.
 */
export function parseTermsSpec(spec: TermsSpec): PaymentTermsRule {
  const netText = given(spec.net);
  const net = netText === null ? null : parseWholeNumber('net', netText, MAX_NET_DAYS, 'days');

  const monthsText = given(spec.monthsAfterEom);
  const monthsAfterEom =
    monthsText === null ? 0 : parseWholeNumber('monthsAfterEom', monthsText, MAX_MONTHS_AFTER_EOM, 'months');
  if (monthsAfterEom > 0 && spec.eom === false) {
    specError('eom', `${OPTIONS.monthsAfterEom.option} counts from the end of a month, so it cannot go with eom switched off`);
  }
  const endOfMonth = spec.eom === true || monthsAfterEom > 0;

  let discount: PaymentTermsRule['discount'] = null;
  const discountText = given(spec.discount);
  if (discountText !== null) {
    const m = /^(\d+(?:\.\d+)?)\s*%?\s*\/\s*(\d+)$/.exec(discountText);
    if (!m) specError('discount', `"${discountText}" is not PERCENT/DAYS`);
    const percent = parsePercent('discount', m[1]!, '');
    discount = { percent, days: parseWholeNumber('discount', m[2]!, MAX_NET_DAYS, 'days') };
  }

  let installments: InstallmentRule[] | null = null;
  const installmentsText = given(spec.installments);
  if (installmentsText !== null) {
    const items = installmentsText.split(/[,，]/).map((s) => s.trim());
    if (items.length > MAX_INSTALLMENTS) specError('installments', `${items.length} installments is more than ${MAX_INSTALLMENTS}`);
    installments = items.map((item, i) => {
      const m = /^(\d+(?:\.\d+)?)\s*%?\s*@\s*(\d+)$/.exec(item);
      if (!m) specError('installments', `installment ${i + 1} "${item}" is not PERCENT@DAYS`);
      return {
        percent: parsePercent('installments', m[1]!, `installment ${i + 1}: `),
        days: parseWholeNumber('installments', m[2]!, MAX_NET_DAYS, 'days'),
      };
    });
  }

  let netDays = net ?? 0;
  if (installments !== null) {
    const lastDays = installments[installments.length - 1]!.days;
    if (net !== null && net !== lastDays) {
      specError('net', `with installments the net days are the last installment's days (${lastDays}); leave ${OPTIONS.net.option} out or give ${OPTIONS.net.option} ${lastDays}`);
    }
    netDays = lastDays;
  }

  const rule: PaymentTermsRule = { netDays, endOfMonth, monthsAfterEom, discount, installments };
  const problems = termsRuleProblems(rule);
  const first = problems[0];
  if (first) specError(specKeyOf(first.field ?? ''), first.message);
  return rule;
}

/** Which TermsSpec key a checkTermsRule field came from. */
function specKeyOf(field: string): SpecKey {
  if (field.startsWith('discount')) return 'discount';
  if (field.startsWith('installments')) return 'installments';
  if (field === 'monthsAfterEom') return 'monthsAfterEom';
  if (field === 'endOfMonth') return 'eom';
  return 'net';
}

// ---------------------------------------------------------------------------------------------------------------
// Describing terms to people

type Locale = 'en' | 'zh-CN';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The base date in words: "EOM", "end of next month"… (only for end-of-month terms). */
function eomBase(rule: PaymentTermsRule, locale: Locale): string {
  const n = rule.monthsAfterEom;
  if (locale === 'zh-CN') return n === 0 ? '月底' : n === 1 ? '次月底' : `${n}个月后的月底`;
  return n === 0 ? 'EOM' : n === 1 ? 'end of next month' : `end of the month ${n} months after invoice`;
}

/** When the amount is due, without discount or installments: "net 30", "EOM + 15 days" / "净30天", "月结30天". */
function describeNet(rule: PaymentTermsRule, locale: Locale): string {
  const days = rule.netDays;
  if (locale === 'zh-CN') {
    if (!rule.endOfMonth) return days === 0 ? '见票即付' : `净${days}天`;
    if (rule.monthsAfterEom === 0) return days === 0 ? '月底到期' : `月结${days}天`;
    return days === 0 ? `${eomBase(rule, locale)}到期` : `${eomBase(rule, locale)}后${days}天`;
  }
  if (!rule.endOfMonth) return days === 0 ? 'due on receipt' : `net ${days}`;
  return days === 0 ? eomBase(rule, locale) : `${eomBase(rule, locale)} + ${plural(days, 'day', 'days')}`;
}

/**
 * Payment terms in the words a finance user reads on an invoice: "2/10 net 30", "EOM + 15 days",
 * "30% at 0 days, 70% at 30 days"; in Chinese "2/10，净30天", "月结30天", "分期：0天后付30%，30天后付70%".
 */
export function describeTerms(rule: PaymentTermsRule, locale: Locale): string {
  const zh = locale === 'zh-CN';
  if (rule.installments !== null) {
    const items = rule.installments.map((i) => {
      const percent = formatDecimal(i.percent);
      return zh ? `${i.days}天后付${percent}%` : `${percent}% at ${plural(i.days, 'day', 'days')}`;
    });
    const list = items.join(zh ? '，' : ', ');
    if (!rule.endOfMonth) return zh ? `分期：${list}` : list;
    return zh ? `分期（自${eomBase(rule, locale)}起）：${list}` : `from ${eomBase(rule, locale)}: ${list}`;
  }
  const net = describeNet(rule, locale);
  if (rule.discount === null) return net;
  const discount = `${formatDecimal(rule.discount.percent)}/${rule.discount.days}`;
  if (zh) return `${discount}，${net}`;
  return rule.endOfMonth ? `${discount}, ${net}` : `${discount} ${net}`;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON (jsonb column, API responses)

/** Payment terms as stable JSON: decimals as strings ("2.5"), keys always present, in this order. */
export interface PaymentTermsJson {
  netDays: number;
  endOfMonth: boolean;
  monthsAfterEom: number;
  discount: { percent: string; days: number } | null;
  installments: { percent: string; days: number }[] | null;
}

/** Shortest exact string of a decimal: {units: 250n, scale: 2} → "2.5". */
function decimalToJson(d: Decimal): string {
  return formatDecimal(parseDecimal(formatDecimal(d), 'percent'));
}

export function termsRuleToJson(rule: PaymentTermsRule): PaymentTermsJson {
  return {
    netDays: rule.netDays,
    endOfMonth: rule.endOfMonth,
    monthsAfterEom: rule.monthsAfterEom,
    discount: rule.discount === null ? null : { percent: decimalToJson(rule.discount.percent), days: rule.discount.days },
    installments:
      rule.installments === null ? null : rule.installments.map((i) => ({ percent: decimalToJson(i.percent), days: i.days })),
  };
}

/**
 * Reads terms stored by termsRuleToJson (a jsonb value or an API body) and checks them; throws an `invalid`
 * AppError (INVALID_PAYMENT_TERMS) naming the field when the shape or a value is wrong.
 */
export function termsRuleFromJson(json: unknown): PaymentTermsRule {
  const fail = (field: string, message: string): never => {
    throw invalid(INVALID_PAYMENT_TERMS, `payment terms: ${field}: ${message}`, [{ field, message }]);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const number = (v: unknown, field: string): number => (typeof v === 'number' ? v : fail(field, 'must be a number'));
  const percent = (v: unknown, field: string): Decimal => {
    if (typeof v !== 'string') return fail(field, 'must be a decimal string like "2.5"');
    try {
      return parseDecimal(v, field);
    } catch {
      return fail(field, `"${v}" is not a decimal string like "2.5"`);
    }
  };

  if (!isObject(json)) return fail('terms', 'must be an object');
  if (typeof json.endOfMonth !== 'boolean') fail('endOfMonth', 'must be true or false');
  let discount: PaymentTermsRule['discount'] = null;
  if (json.discount !== null && json.discount !== undefined) {
    if (!isObject(json.discount)) return fail('discount', 'must be an object or null');
    discount = {
      percent: percent(json.discount.percent, 'discount.percent'),
      days: number(json.discount.days, 'discount.days'),
    };
  }
  let installments: InstallmentRule[] | null = null;
  if (json.installments !== null && json.installments !== undefined) {
    if (!Array.isArray(json.installments)) return fail('installments', 'must be an array or null');
    installments = json.installments.map((item: unknown, i) => {
      if (!isObject(item)) return fail(`installments[${i}]`, 'must be an object');
      return { percent: percent(item.percent, `installments[${i}].percent`), days: number(item.days, `installments[${i}].days`) };
    });
  }
  const rule: PaymentTermsRule = {
    netDays: number(json.netDays, 'netDays'),
    endOfMonth: json.endOfMonth as boolean,
    monthsAfterEom: json.monthsAfterEom === undefined ? 0 : number(json.monthsAfterEom, 'monthsAfterEom'),
    discount,
    installments,
  };
  checkTermsRule(rule);
  return rule;
}
