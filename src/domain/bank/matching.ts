/**
 * Cash matching (核销建议), pure: for each incoming bank line, the open items it most likely pays, each proposal with
 * a score 0–100 and the reasons that make it up (a code, words, and the points each one adds), so that a user sees
 * why. No I/O, no clock: the module loads open items, customers and known payer accounts and passes them in.
 *
 * Points (docs/cash-matching.md):
 *   who paid (counted up to 40):  ACCOUNT_KNOWN 40 · NAME_EXACT 30 · NAME_SIMILAR 20 · CUSTOMER_CODE 20 ·
 *                                 GROUP_MEMBER 15 (the payer is the customer's parent, subsidiary or sister company)
 *   what was paid (references):   CREDITOR_REF 50 · INVOICE_EXACT 50 · INVOICE_NORMALIZED 45 · INVOICE_FUZZY 35
 *                                 (several items: the points × the share of the items referenced, rounded down)
 *   how much:                     AMOUNT_EXACT 30 · AMOUNT_SUM 25 · AMOUNT_DISCOUNT 25 · AMOUNT_CHARGES 20 ·
 *                                 AMOUNT_PARTIAL 5 · AMOUNT_OVER 5 · AMOUNT_UNIQUE 10 (no payer, one item in the
 *                                 whole ledger has this open amount)
 *   in another currency:          AMOUNT_FX 30 (the amount is the items' open amount converted at the rate on file
 *                                 at the booking date, within the tolerance for the bank's rate) · AMOUNT_PARTIAL 5 ·
 *                                 AMOUNT_OVER 5 (outside it: settled at the rate on file)
 * The score is the sum, at most 100. A line is applied automatically when its best proposal scores at least the
 * tenant's auto-apply score and leads the second by the margin; suggested when the best reaches the suggest score;
 * otherwise unmatched. A proposal for items in another currency than the line's is applied automatically only when
 * the line also quotes an invoice number (no sure rule applies across currencies).
 */
import type { LocalDate } from '../dates.ts';
import { convertAtRatio, crossRate, formatRatio, invertRatio, ONE, type Decimal, type Ratio } from '../decimal.ts';
import { roundHalfUp } from '../money.ts';
import { formatBankAmount } from './statement.ts';

export interface MatchSettings {
  autoApplyScore: number;
  suggestScore: number;
  /** The best proposal must lead the second by this many points to be applied automatically. */
  ambiguityMargin: number;
  /** Short payments up to this (minor units of the line's currency) are taken as bank charges and written off. */
  chargeToleranceMinor: bigint;
  /** …or up to this share of the amount due, in basis points (1% = 100); the larger of the two counts. */
  chargeToleranceBasisPoints: number;
  /**
   * Short payments beyond the charge tolerance and up to this (minor units), or this share of the amount due (basis
   * points), the larger counting, are the payer's deduction (扣款): the invoices are paid but for it, and it goes to a
   * dispute. Both 0 (the default): a short payment is a partial payment.
   */
  deductionToleranceMinor: bigint;
  deductionToleranceBasisPoints: number;
  /** A line in another currency: the bank's rate may be this far from the rate on file (basis points of the converted amount). */
  fxToleranceBasisPoints: number;
  /** Subset-sum bounds: at most this many items in one combination, and this many combinations tried per customer. */
  maxItems: number;
  maxCombinations: number;
  autoApply: boolean;
}

export const DEFAULT_MATCH_SETTINGS: MatchSettings = {
  autoApplyScore: 80, suggestScore: 40, ambiguityMargin: 10, chargeToleranceMinor: 0n, chargeToleranceBasisPoints: 0,
  deductionToleranceMinor: 0n, deductionToleranceBasisPoints: 0, fxToleranceBasisPoints: 50, maxItems: 5, maxCombinations: 20_000, autoApply: true,
};

export const POINTS = {
  ACCOUNT_KNOWN: 40, NAME_EXACT: 30, NAME_SIMILAR: 20, CUSTOMER_CODE: 20, GROUP_MEMBER: 15,
  CREDITOR_REF: 50, INVOICE_EXACT: 50, INVOICE_NORMALIZED: 45, INVOICE_FUZZY: 35, REFERENCE_LEARNED: 40,
  AMOUNT_EXACT: 30, AMOUNT_SUM: 25, AMOUNT_DISCOUNT: 25, AMOUNT_CHARGES: 20, AMOUNT_DEDUCTION: 15, AMOUNT_PARTIAL: 5, AMOUNT_OVER: 5, AMOUNT_UNIQUE: 10,
  /** The amount is the items' open amount in another currency, converted at the rate on file, within the tolerance. */
  AMOUNT_FX: 30,
  /** No points: one of the sure rules (docs/cash-matching.md) holds, so the proposal is applied whatever its score. */
  SURE_RULE: 0,
  /** The customer's remittance advice lists the invoices and amounts of exactly this payment. */
  REMITTANCE_ADVICE: 100,
} as const;
export type ReasonCode = keyof typeof POINTS;
const WHO_CAP = 40;

export interface MatchLine {
  id: string;
  /** Minor units, > 0 (credits only are matched). */
  amountMinor: bigint;
  currency: string;
  /** The booking (else value) date: an early-payment discount counts when the money arrived by its date. */
  date: LocalDate;
  /** Remittance text, end-to-end id, customer reference: every free text the bank gave. */
  texts: (string | null)[];
  creditorReference: string | null;
  counterpartyName: string | null;
  counterpartyAccount: string | null;
}

export interface MatchItem {
  itemId: string;
  documentNumber: string;
  customerId: string;
  currency: string;
  openMinor: bigint;
  documentDate: LocalDate;
  dueDate: LocalDate;
  discountDate: LocalDate | null;
  discountAmountMinor: bigint;
  /** The number's confusable key and its part after the letter prefix, when the caller has them (the database does). */
  numberKey?: string;
  numberCore?: string;
}

export interface MatchCustomer {
  id: string;
  code: string;
  name: string;
  /** Payer accounts known for this customer (learned from confirmed matches). */
  accounts: string[];
  /** How this customer quotes invoice numbers, learned from confirmed matches (learnPattern). */
  patterns?: ReferencePattern[];
  /** The group parent, when the customer is a subsidiary. */
  parentId?: string | null;
}

export interface Reason {
  code: ReasonCode;
  points: number;
  /** English words; the web shows its own words for the code with `detail`. */
  words: string;
  detail?: string;
}

export interface ProposalAllocation {
  itemId: string;
  documentNumber: string;
  /** In the item's currency. */
  openMinor: bigint;
  /** In the line's currency: what of the payment goes to the item. */
  amountMinor: bigint;
  /** An item in another currency than the line's: its currency, and what of it the amount settles (in it). */
  currency?: string;
  settlesMinor?: bigint;
}

export type ProposalKind = 'exact' | 'combination' | 'discount' | 'charges' | 'deduction' | 'partial' | 'overpayment';

/** What the payer deducted from an item: it stays open on the item and is raised as a dispute when applied. */
export interface ProposalDeduction {
  itemId: string;
  documentNumber: string;
  amountMinor: bigint;
}

export interface Proposal {
  customerId: string;
  kind: ProposalKind;
  score: number;
  reasons: Reason[];
  allocations: ProposalAllocation[];
  /** Written off on the last item: the discount taken, or bank charges within the tolerance. */
  writeOffMinor: bigint;
  writeOffReason: 'discount' | 'bank_charges' | null;
  /** Left on the payment as unapplied cash (an overpayment). */
  unappliedMinor: bigint;
  /** The payer's deductions (kind 'deduction', or listed in a remittance advice): left open and disputed. */
  deductions: ProposalDeduction[];
  /** Set when a sure rule holds for this proposal (see sureRule): it is applied automatically whatever its score. */
  sure?: SureRule;
  /** Items in another currency than the line's: the rate used (line currency per unit of the items'), as text. */
  fxRate?: string;
}

/** What the open amount of an allocation's item goes down by: in the item's own currency. */
export const settledMinor = (a: ProposalAllocation): bigint => a.settlesMinor ?? a.amountMinor;

/**
 * The FX rates a run reads (pure: the module loads them). `rateOn`: the latest rate on file on or before the date,
 * in functional units per one unit of the currency, or null; the functional currency's own is 1.
 */
export interface MatchFx {
  functional: string;
  rateOn: (currency: string, date: LocalDate) => Decimal | null;
  /** The bank's rate may differ from the one on file by this share of the converted amount, in basis points. */
  toleranceBasisPoints: number;
}

/** The default tolerance for the bank's rate: 0.5% of the converted amount (docs/cash-matching.md). */
export const FX_TOLERANCE_BASIS_POINTS = 50;

/**
 * The rules a finance team accepts as sure without a reference or at a low score (docs/cash-matching.md):
 * PAYER_AMOUNT   the payer resolves to one customer and exactly one open item of it (or of its group) has the amount;
 * PAYER_SUBSET   …no item has it, and exactly one combination of the customer's open items adds up to it;
 * PAYER_TYPO     …several items have it, and a reference in the text is 1–2 characters from exactly one of those.
 * REMITTANCE     the customer's remittance advice (adviceProposal) has the line's amount and currency, is the only
 *                open advice that fits the line, and every invoice it lists is the payer's and open for its amount.
 */
export type SureRule = 'PAYER_AMOUNT' | 'PAYER_SUBSET' | 'PAYER_TYPO' | 'REMITTANCE';

export interface LineResult {
  lineId: string;
  status: 'auto' | 'suggested' | 'unmatched';
  /** Ranked, best first, those at or above the suggest score (at most 5). */
  proposals: Proposal[];
  /** Why the status: for a user reading an unmatched or a not auto-applied line. */
  note: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Normalising references and names.

/** Upper case, full-width folded, only letters and digits: "inv-2026/0012" → "INV20260012". */
export function referenceKey(text: string): string {
  return text.normalize('NFKC').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** O read as 0 and I as 1: the confusions of typed and scanned references. */
export function confusableKey(key: string): string {
  return key.replace(/O/g, '0').replace(/I/g, '1');
}

/** The number without its letter prefix ("INV20260012" → "20260012"), when at least 5 digits remain. */
export function coreKey(key: string): string | null {
  const core = key.replace(/^[A-Z]+/, '');
  return core.length >= 5 && /^\d+$/.test(core) ? core : null;
}

/** A valid ISO 11649 creditor reference (RF + 2 check digits + up to 21 letters or digits): mod 97 = 1. */
export function isCreditorReference(text: string): boolean {
  const ref = text.replace(/\s/g, '').toUpperCase();
  if (!/^RF\d{2}[A-Z0-9]{1,21}$/.test(ref)) return false;
  const digits = (ref.slice(4) + ref.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest === 1;
}

/** Candidate references in free text: each run of letters and digits, and up to 3 runs joined over one separator. */
export function referenceCandidates(text: string): { key: string; raw: string; start: number; end: number }[] {
  const upper = text.normalize('NFKC').toUpperCase();
  const runs: { text: string; start: number; end: number }[] = [];
  for (const m of upper.matchAll(/[A-Z0-9]+/g)) runs.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  const out: { key: string; raw: string; start: number; end: number }[] = [];
  for (let i = 0; i < runs.length; i++) {
    let key = runs[i]!.text;
    out.push({ key, raw: key, start: runs[i]!.start, end: runs[i]!.end });
    for (let j = i + 1; j < Math.min(runs.length, i + 3); j++) {
      const gap = upper.slice(runs[j - 1]!.end, runs[j]!.start);
      if (!/^[-_/. ]$/.test(gap)) break;
      key += runs[j]!.text;
      out.push({ key, raw: upper.slice(runs[i]!.start, runs[j]!.end), start: runs[i]!.start, end: runs[j]!.end });
    }
  }
  // Longest first, so that the parts of a number found whole are not looked up again (see findReferences).
  return out.sort((a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start);
}

const NAME_SUFFIXES = [
  '有限责任公司', '股份有限公司', '有限公司', '集团', '公司', '分公司',
  'CORPORATION', 'COMPANY', 'LIMITED', 'GMBH', 'CORP', 'INC', 'LTD', 'LLC', 'PLC', 'CO', 'AG', 'SA', 'BV', 'NV', 'KG', 'SRL', 'SPA', 'THE',
];

/** A company name for comparison: folded, without legal-form words, spaces and punctuation. */
/** Each suffix as it is taken out, in the list's order: a Latin word as a whole word (and its dot), Chinese as written. */
const SUFFIX_REMOVERS: ((s: string) => string)[] = NAME_SUFFIXES.map((suffix) => {
  if (!/^[A-Z]+$/.test(suffix)) return (s: string) => (s.includes(suffix) ? s.split(suffix).join(' ') : s);
  const pattern = new RegExp(`\\b${suffix}\\b\\.?`, 'g');
  return (s: string) => (s.includes(suffix) ? s.replace(pattern, ' ') : s);
});

export function nameKey(name: string): string {
  let s = name.normalize('NFKC').toUpperCase().replace(/[（(].*?[)）]/g, ' ');
  for (const remove of SUFFIX_REMOVERS) s = remove(s);
  return s.replace(/[^\p{L}\p{N}]/gu, '');
}

function bigrams(key: string): Set<string> {
  const chars = [...key];
  const out = new Set<string>();
  if (chars.length === 1) out.add(chars[0]!);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return out;
}

/** Dice coefficient of the names' character pairs, 0..1. */
export function nameSimilarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (!x.size || !y.size) return 0;
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return (2 * shared) / (x.size + y.size);
}

function dice(x: Set<string>, y: Set<string>): number {
  if (!x.size || !y.size) return 0;
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return (2 * shared) / (x.size + y.size);
}

/** Similar: Dice ≥ 0.75 (上海华东贸易 and 上海华西贸易, 0.6, are two companies), or one name inside the other (an abbreviation: 华东贸易 in 上海华东贸易) of ≥ 2 CJK or 4 other characters. */
function namesSimilar(payer: string, customer: string, payerGrams = bigrams(payer), customerGrams = bigrams(customer)): boolean {
  if (dice(payerGrams, customerGrams) >= 0.75) return true;
  const [short, long] = payer.length <= customer.length ? [payer, customer] : [customer, payer];
  const enough = /\p{Script=Han}/u.test(short) ? [...short].length >= 2 : short.length >= 4;
  return enough && long.includes(short);
}

export function accountKey(account: string): string {
  return account.normalize('NFKC').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

// ---------------------------------------------------------------------------------------------------------------
// The index over open items and customers, built once per run.

export interface MatchBook {
  items: Map<string, MatchItem>;
  customers: Map<string, MatchCustomer>;
  /** Live open amounts: an automatic application in this run lowers them for the lines after it. */
  open: Map<string, bigint>;
  /** Invoice numbers by their confusable key (letters and digits, O as 0, I as 1): exact and O/0, I/1 lookups. */
  byKey: Map<string, string[]>;
  byCore: Map<string, string[]>;
  byCustomer: Map<string, string[]>;
  byAmount: Map<string, string[]>;
  byAccount: Map<string, string[]>;
  byName: Map<string, string[]>;
  byNameGram: Map<string, string[]>;
  byCode: Map<string, string[]>;
  nameKeys: Map<string, string>;
  /** Customers whose byCustomer list is in due-date order already. */
  sorted: Set<string>;
  /** A group's members by parent id (the parent itself not included). */
  children: Map<string, string[]>;
  /** findPayers' answers by the line's payer facts (they depend on the customers only, which a run does not change). */
  payerCache: Map<string, Map<string, Reason[]>>;
  surePayerCache: Map<string, string | null>;
  /** The character pairs of each customer's name key, made when first compared. */
  nameGrams: Map<string, Set<string>>;
}

/** A customer's open items, oldest due first (then by number): the order partial payments and combinations use. */
function itemsOf(book: MatchBook, customerId: string): string[] {
  const list = book.byCustomer.get(customerId) ?? [];
  if (!book.sorted.has(customerId)) {
    list.sort((x, y) => {
      const a = book.items.get(x)!;
      const b = book.items.get(y)!;
      return a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.documentNumber < b.documentNumber ? -1 : a.documentNumber > b.documentNumber ? 1 : 0;
    });
    book.sorted.add(customerId);
  }
  return list;
}

const push = (map: Map<string, string[]>, key: string, value: string) => {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
};

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

/**
 * Every key one edit away from `key` (a character left out, changed or added), the way a reference is mistyped: a
 * changed or added character is a digit among digits, any letter or digit elsewhere (O and I are never produced: the
 * keys read them as 0 and 1). Generated from the text's side, so the index holds one key per invoice.
 */
function oneEditVariants(key: string): string[] {
  const out: string[] = [];
  const alphabet = (i: number) => (/\d/.test(key[i - 1] ?? '') && /\d/.test(key[i] ?? key[i - 1] ?? '') ? DIGITS : LETTERS);
  for (let i = 0; i < key.length; i++) {
    out.push(key.slice(0, i) + key.slice(i + 1));
    const a = /\d/.test(key[i]!) ? DIGITS : LETTERS;
    for (const c of a) if (c !== key[i]) out.push(key.slice(0, i) + c + key.slice(i + 1));
  }
  for (let i = 0; i <= key.length; i++) for (const c of alphabet(i)) out.push(key.slice(0, i) + c + key.slice(i));
  return out;
}

export function buildBook(items: readonly MatchItem[], customers: readonly MatchCustomer[]): MatchBook {
  const book: MatchBook = {
    items: new Map(), customers: new Map(), open: new Map(), byKey: new Map(), byCore: new Map(), byCustomer: new Map(), byAmount: new Map(), byAccount: new Map(), byName: new Map(),
    byNameGram: new Map(), byCode: new Map(), nameKeys: new Map(), sorted: new Set(), children: new Map(), payerCache: new Map(), surePayerCache: new Map(), nameGrams: new Map(),
  };
  for (const c of customers) {
    book.customers.set(c.id, c);
    for (const a of c.accounts) push(book.byAccount, accountKey(a), c.id);
    const key = nameKey(c.name);
    book.nameKeys.set(c.id, key);
    if (key) push(book.byName, key, c.id);
    for (const g of bigrams(key)) push(book.byNameGram, g, c.id);
    const code = referenceKey(c.code);
    if (code.length >= 3) push(book.byCode, code, c.id);
    if (c.parentId) push(book.children, c.parentId, c.id);
  }
  addItems(book, items);
  return book;
}

const ASCII = /^[\x20-\x7e]*$/;

/** Indexes more items into a book (the module first finds the payers with the customers alone, then reads their items). */
export function addItems(book: MatchBook, items: readonly MatchItem[]): void {
  // No global sort (a million items): each customer's list is put in due-date order when first read (itemsOf).
  for (const item of items) {
    // A paid item (open 0) is kept as a known number: a line naming it is a possible duplicate payment, never a typo
    // of a neighbouring number (findReferences), and never applied by a sure rule.
    if (item.openMinor < 0n) continue;
    book.items.set(item.itemId, item);
    book.open.set(item.itemId, item.openMinor);
    // Keys given by the caller are used for plain ASCII numbers (the database does not fold full-width forms).
    const given = item.numberKey !== undefined && item.numberCore !== undefined && ASCII.test(item.documentNumber);
    const key = given ? '' : referenceKey(item.documentNumber);
    push(book.byKey, given ? item.numberKey! : confusableKey(key), item.itemId);
    const core = given ? (item.numberCore!.length >= 5 && /^\d+$/.test(item.numberCore!) ? item.numberCore! : null) : coreKey(key);
    if (core) push(book.byCore, core, item.itemId);
    if (item.openMinor === 0n) continue;
    push(book.byCustomer, item.customerId, item.itemId);
    book.sorted.delete(item.customerId);
    push(book.byAmount, `${item.currency}:${item.openMinor}`, item.itemId);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reference patterns learned from decisions.

/** How a customer quotes the invoices it pays: the last `digits` digits of the number, after `marker` (may be ''). */
export interface ReferencePattern {
  marker: string;
  digits: number;
  /** Confirmations by users (shown in the reason). */
  confirmations?: number;
}

const SEPARATORS = '\\s#:：\\-_/.,，、';
const digitsOf = (number: string) => number.replace(/\D/g, '');

/**
 * What a user's decision teaches about how the payer quoted an invoice that no signal recognised: a run of 4–12
 * digits in the text that is the end of the invoice number's digits (not all of them), and the letters just before
 * it (up to 4, separators skipped: 尾号, INV, NO). A bare run without letters is learned only from 6 digits (a short
 * bare number is in any text). Null when the text holds no such run.
 */
export function learnPattern(texts: readonly (string | null)[], documentNumber: string): ReferencePattern | null {
  const all = digitsOf(documentNumber);
  const text = texts.filter((t): t is string => !!t).join(' \n ').normalize('NFKC').toUpperCase();
  for (const m of text.matchAll(/\d{4,12}/g)) {
    const run = m[0];
    if (run.length >= all.length || !all.endsWith(run)) continue;
    const before = text.slice(0, m.index).replace(new RegExp(`[${SEPARATORS}]+$`, 'u'), '');
    const marker = (/[\p{L}]{1,4}$/u.exec(before)?.[0] ?? '');
    if (!marker && run.length < 6) continue;
    return { marker, digits: run.length };
  }
  return null;
}

/**
 * The identified payers' learned patterns, read in the line's texts: a tail that names exactly one of the payer's
 * open items of the line's currency is a reference (REFERENCE_LEARNED, 40). Only the payer's own patterns are used,
 * so a learned pattern never points at another customer's invoice.
 */
export function learnedReferences(book: MatchBook, line: MatchLine, payerIds: readonly string[]): RefHit[] {
  const text = line.texts.filter((t): t is string => !!t).join(' \n ').normalize('NFKC').toUpperCase();
  if (!text) return [];
  const hits: RefHit[] = [];
  for (const customerId of payerIds) {
    const customer = book.customers.get(customerId);
    if (!customer?.patterns?.length) continue;
    const open = itemsOf(book, customerId).filter((id) => book.items.get(id)!.currency === line.currency && book.open.get(id)! > 0n);
    for (const p of customer.patterns) {
      const marker = p.marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const re = new RegExp(`${marker ? `${marker}[${SEPARATORS}]*` : '(?<!\\d)'}(\\d{${p.digits}})(?!\\d)`, 'gu');
      for (const m of text.matchAll(re)) {
        const tail = m[1]!;
        const named = open.filter((id) => digitsOf(book.items.get(id)!.documentNumber).endsWith(tail));
        if (named.length !== 1) continue;
        const number = book.items.get(named[0]!)!.documentNumber;
        const times = p.confirmations && p.confirmations > 1 ? ` (learned from ${p.confirmations} decisions)` : ' (learned from a decision)';
        hits.push({ itemId: named[0]!, code: 'REFERENCE_LEARNED', words: `"${m[0].trim()}" is how ${customer.code} quotes ${number}: the number's last ${p.digits} digits${p.marker ? ` after ${p.marker}` : ''}${times}` });
      }
    }
  }
  return hits;
}

/**
 * Two characters wrong: a word that looks like a reference (7–24 letters and digits, at least 4 digits) and names no
 * item is compared with the identified payers' own open items of the line's currency; exactly one of them within two
 * edits (and none within one, which findReferences reads ledger-wide) is INVOICE_FUZZY, as a typo. Only the payer's
 * items: ledger-wide, two edits would land on somebody's invoice far too often.
 */
export function payerTypos(book: MatchBook, line: MatchLine, payerIds: readonly string[], known: ReadonlyMap<string, RefHit>): RefHit[] {
  const text = line.texts.filter((t): t is string => !!t).join(' \n ');
  if (!text || !payerIds.length) return [];
  const words = referenceCandidates(text).map((c) => ({ raw: c.raw, key: confusableKey(c.key) }))
    .filter((w) => w.key.length >= 7 && w.key.length <= 24 && (w.key.match(/\d/g)?.length ?? 0) >= 4 && !book.byKey.has(w.key));
  if (!words.length) return [];
  const items = payerIds.flatMap((id) => itemsOf(book, id))
    .filter((id) => !known.has(id) && book.items.get(id)!.currency === line.currency && (book.open.get(id) ?? 0n) > 0n)
    .map((id) => ({ id, key: confusableKey(referenceKey(book.items.get(id)!.documentNumber)) }));
  const hits: RefHit[] = [];
  for (const w of words) {
    const near = items.filter((x) => editDistance(w.key, x.key, 2) <= 2);
    if (near.length !== 1 || near.some((x) => editDistance(w.key, x.key, 1) <= 1)) continue;
    const number = book.items.get(near[0]!.id)!.documentNumber;
    hits.push({ itemId: near[0]!.id, code: 'INVOICE_FUZZY', words: `${w.raw} in the text is two characters away from ${number}, an open invoice of the payer`, typo: true });
  }
  return hits;
}

// ---------------------------------------------------------------------------------------------------------------
// Signals.

interface RefHit {
  itemId: string;
  code: 'CREDITOR_REF' | 'INVOICE_EXACT' | 'INVOICE_NORMALIZED' | 'INVOICE_FUZZY' | 'REFERENCE_LEARNED';
  words: string;
  /** One character away: counted only when the payer is that customer or the amount fits (see proposeForLine). */
  typo?: boolean;
}

/**
 * The open items the line's references name, strongest finding per item: of the line's currency, or with
 * `foreign`, of every other currency (a payment for an invoice in another currency).
 */
export function findReferences(book: MatchBook, line: MatchLine, foreign = false): RefHit[] {
  const hits = new Map<string, RefHit>();
  const rank = { CREDITOR_REF: 4, INVOICE_EXACT: 3, INVOICE_NORMALIZED: 2, INVOICE_FUZZY: 1, REFERENCE_LEARNED: 0 } as const;
  const add = (ids: string[] | undefined, code: RefHit['code'], words: (n: string) => string, typo = false) => {
    for (const id of ids ?? []) {
      const item = book.items.get(id)!;
      if ((item.currency === line.currency) === foreign || (book.open.get(id) ?? 0n) <= 0n) continue;
      const old = hits.get(id);
      if (!old || rank[old.code] < rank[code] || (old.typo && !typo && old.code === code)) hits.set(id, { itemId: id, code, words: words(item.documentNumber), ...(typo ? { typo } : {}) });
    }
  };
  if (line.creditorReference) {
    const raw = line.creditorReference.replace(/\s/g, '').toUpperCase();
    const body = isCreditorReference(raw) ? raw.slice(4) : raw;
    const key = referenceKey(body);
    const core = coreKey(key);
    const ids = book.byKey.get(confusableKey(key)) ?? (core ? book.byCore.get(core) : undefined) ?? (/^\d+$/.test(key) ? book.byCore.get(key) : undefined);
    add(ids, 'CREDITOR_REF', (n) => `structured reference ${line.creditorReference} names ${n}`);
  }
  const text = line.texts.filter((t): t is string => !!t).join(' \n ');
  if (!text) return [...hits.values()];
  const upperText = text.normalize('NFKC').toUpperCase();
  const found: [number, number][] = [];
  for (const { key, raw, start, end } of referenceCandidates(text)) {
    if (key.length < 3 || found.some(([a, b]) => start >= a && end <= b)) continue;
    const conf = confusableKey(key);
    const same = book.byKey.get(conf);
    if (same) {
      for (const id of same) {
        const number = book.items.get(id)!.documentNumber;
        if (referenceKey(number) !== key) {
          add([id], 'INVOICE_FUZZY', (n) => `${raw} in the text reads as ${n} (O/0, I/1)`);
          continue;
        }
        const asWritten = upperText.includes(number.toUpperCase());
        add([id], asWritten ? 'INVOICE_EXACT' : 'INVOICE_NORMALIZED', (n) => (asWritten ? `invoice number ${n} in the text` : `${raw} in the text is ${n} (separators differ)`));
      }
      found.push([start, end]);
      continue;
    }
    const core = /^\d+$/.test(key) ? (key.length >= 5 ? key : null) : coreKey(key);
    const byCore = core ? book.byCore.get(core) : undefined;
    if (byCore) {
      // A short bare number (under 8 digits) is common in any text: like a typo, it needs the payer or the amount.
      add(byCore, 'INVOICE_FUZZY', (n) => `${raw} in the text is ${n} without its prefix`, core!.length < 8);
      found.push([start, end]);
      continue;
    }
    // One character away: only for words that look like a reference (7 to 24 characters, at least 4 digits).
    if (conf.length >= 7 && conf.length <= 24 && (conf.match(/\d/g)?.length ?? 0) >= 4) {
      const near = new Set<string>();
      for (const variant of oneEditVariants(conf)) for (const id of book.byKey.get(variant) ?? []) near.add(id);
      // A typo may name only one item: two or more candidates one character away are no evidence.
      if (near.size === 1) add([...near], 'INVOICE_FUZZY', (n) => `${raw} in the text is one character away from ${n}`, true);
    }
  }
  return [...hits.values()];
}

/** Who paid: customers named by the payer account, name or a customer code in the text, with the points of each. */
export function findPayers(book: MatchBook, line: MatchLine): Map<string, Reason[]> {
  const cacheKey = `${line.counterpartyName ?? ''}\u0000${line.counterpartyAccount ?? ''}\u0000${line.texts.join('\u0000')}`;
  const cached = book.payerCache.get(cacheKey);
  if (cached) return cached;
  const found = findPayersUncached(book, line);
  book.payerCache.set(cacheKey, found);
  return found;
}

function findPayersUncached(book: MatchBook, line: MatchLine): Map<string, Reason[]> {
  const out = new Map<string, Reason[]>();
  const add = (id: string, reason: Reason) => {
    const list = out.get(id) ?? [];
    if (!list.some((r) => r.code === reason.code)) list.push(reason);
    out.set(id, list);
  };
  if (line.counterpartyAccount) {
    for (const id of book.byAccount.get(accountKey(line.counterpartyAccount)) ?? []) {
      add(id, { code: 'ACCOUNT_KNOWN', points: POINTS.ACCOUNT_KNOWN, words: `payer account ${line.counterpartyAccount} is known for this customer`, detail: line.counterpartyAccount });
    }
  }
  if (line.counterpartyName) {
    const key = nameKey(line.counterpartyName);
    if (key) {
      const exact = book.byName.get(key) ?? [];
      for (const id of exact) add(id, { code: 'NAME_EXACT', points: POINTS.NAME_EXACT, words: `payer name ${line.counterpartyName} is the customer's name`, detail: line.counterpartyName });
      const counts = new Map<string, number>();
      for (const g of bigrams(key)) {
        const ids = book.byNameGram.get(g);
        // A pair most names share (上海, 贸易, TR) says nothing: only the rarer pairs pick candidates.
        if (!ids || ids.length > 200) continue;
        for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 30);
      const payerGrams = bigrams(key);
      for (const [id] of top) {
        if (exact.includes(id)) continue;
        let grams = book.nameGrams.get(id);
        if (!grams) book.nameGrams.set(id, (grams = bigrams(book.nameKeys.get(id)!)));
        if (namesSimilar(key, book.nameKeys.get(id)!, payerGrams, grams)) {
          add(id, { code: 'NAME_SIMILAR', points: POINTS.NAME_SIMILAR, words: `payer name ${line.counterpartyName} is like ${book.customers.get(id)!.name}`, detail: line.counterpartyName });
        }
      }
    }
  }
  // A group pays for its members: the payer's parent, subsidiaries and sister companies are candidates too (15).
  const identified = [...out].filter(([, reasons]) => reasons.some((r) => r.code === 'ACCOUNT_KNOWN' || r.code === 'NAME_EXACT' || r.code === 'NAME_SIMILAR'));
  for (const [id] of identified) {
    const payer = book.customers.get(id)!;
    const related = new Set<string>([...(book.children.get(id) ?? [])]);
    if (payer.parentId) {
      related.add(payer.parentId);
      for (const sister of book.children.get(payer.parentId) ?? []) related.add(sister);
    }
    related.delete(id);
    for (const other of related) {
      if (identified.some(([x]) => x === other) || !book.customers.has(other)) continue;
      add(other, { code: 'GROUP_MEMBER', points: POINTS.GROUP_MEMBER, words: `the payer ${payer.name} is in the group of ${book.customers.get(other)!.name}`, detail: payer.code });
    }
  }
  const text = line.texts.filter(Boolean).join(' ');
  if (text) {
    for (const { key } of referenceCandidates(text)) {
      for (const id of book.byCode.get(key) ?? []) add(id, { code: 'CUSTOMER_CODE', points: POINTS.CUSTOMER_CODE, words: `customer code ${book.customers.get(id)!.code} in the text`, detail: book.customers.get(id)!.code });
    }
  }
  return out;
}

/** The who-reasons counted up to 40 points, strongest first (a weaker one adds only what is left). */
function capWho(reasons: Reason[]): Reason[] {
  let left = WHO_CAP;
  return [...reasons].sort((a, b) => b.points - a.points).map((r) => {
    const points = Math.min(r.points, left);
    left -= points;
    return { ...r, points, words: points < r.points ? `${r.words} (counted up to ${WHO_CAP} for who paid)` : r.words };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Settling a candidate set of items against the amount.

export function chargeTolerance(settings: MatchSettings, dueMinor: bigint): bigint {
  const share = (dueMinor * BigInt(settings.chargeToleranceBasisPoints)) / 10_000n;
  return share > settings.chargeToleranceMinor ? share : settings.chargeToleranceMinor;
}

/** The larger of the fixed deduction tolerance and its share of the amount due; 0 when deductions are off. */
export function deductionTolerance(settings: MatchSettings, dueMinor: bigint): bigint {
  const share = (dueMinor * BigInt(settings.deductionToleranceBasisPoints)) / 10_000n;
  return share > settings.deductionToleranceMinor ? share : settings.deductionToleranceMinor;
}

interface Settled {
  allocations: ProposalAllocation[];
  writeOffMinor: bigint;
  writeOffReason: Proposal['writeOffReason'];
  unappliedMinor: bigint;
  deductions: ProposalDeduction[];
  kind: ProposalKind;
  amountReason: Reason;
}

const money = (minor: bigint, currency: string) => formatBankAmount(minor, currency);

/** How `amount` pays the items (in order): in full, with a discount, net of charges, in part, or with cash left over. */
export function settle(book: MatchBook, itemIds: string[], line: MatchLine, settings: MatchSettings): Settled {
  const items = itemIds.map((id) => ({ item: book.items.get(id)!, open: book.open.get(id)! }));
  const due = items.reduce((s, x) => s + x.open, 0n);
  const amount = line.amountMinor;
  const full = () => items.map((x) => ({ itemId: x.item.itemId, documentNumber: x.item.documentNumber, openMinor: x.open, amountMinor: x.open }));
  const c = (m: bigint) => money(m, line.currency);
  if (amount === due) {
    const single = items.length === 1;
    return {
      allocations: full(), writeOffMinor: 0n, writeOffReason: null, unappliedMinor: 0n, deductions: [], kind: single ? 'exact' : 'combination',
      amountReason: single
        ? { code: 'AMOUNT_EXACT', points: POINTS.AMOUNT_EXACT, words: `amount ${c(amount)} is the open amount of ${items[0]!.item.documentNumber}` }
        : { code: 'AMOUNT_SUM', points: POINTS.AMOUNT_SUM, words: `amount ${c(amount)} is the sum of ${items.length} open items` },
    };
  }
  // An early-payment discount: every item still in its discount period, the open amount the full amount (no part paid).
  const discount = items.reduce((s, x) => s + (x.item.discountDate && line.date <= x.item.discountDate && x.open === x.item.openMinor ? x.item.discountAmountMinor : 0n), 0n);
  if (discount > 0n && amount === due - discount) {
    const allocations = full();
    const last = allocations[allocations.length - 1]!;
    last.amountMinor -= discount;
    return {
      allocations, writeOffMinor: discount, writeOffReason: 'discount', unappliedMinor: 0n, deductions: [], kind: 'discount',
      amountReason: { code: 'AMOUNT_DISCOUNT', points: POINTS.AMOUNT_DISCOUNT, words: `amount ${c(amount)} is ${c(due)} less the early-payment discount ${c(discount)}, paid within its period` },
    };
  }
  const short = due - amount;
  if (short > 0n && short <= chargeTolerance(settings, due)) {
    const allocations = full();
    allocations[allocations.length - 1]!.amountMinor -= short;
    return {
      allocations, writeOffMinor: short, writeOffReason: 'bank_charges', unappliedMinor: 0n, deductions: [], kind: 'charges',
      amountReason: { code: 'AMOUNT_CHARGES', points: POINTS.AMOUNT_CHARGES, words: `amount ${c(amount)} is ${c(short)} short of ${c(due)}, within the bank-charge tolerance` },
    };
  }
  if (short > 0n && short <= deductionTolerance(settings, due)) {
    // The deduction is taken from the last items first (the newest of the set), each at most what it has open.
    const allocations = full();
    const deductions: ProposalDeduction[] = [];
    let left = short;
    for (let k = allocations.length - 1; k >= 0 && left > 0n; k--) {
      const a = allocations[k]!;
      const take = a.amountMinor < left ? a.amountMinor : left;
      a.amountMinor -= take;
      left -= take;
      deductions.unshift({ itemId: a.itemId, documentNumber: a.documentNumber, amountMinor: take });
    }
    return {
      allocations: allocations.filter((a) => a.amountMinor > 0n), writeOffMinor: 0n, writeOffReason: null, unappliedMinor: 0n, deductions, kind: 'deduction',
      amountReason: { code: 'AMOUNT_DEDUCTION', points: POINTS.AMOUNT_DEDUCTION, words: `amount ${c(amount)} is ${c(short)} short of ${c(due)}, within the deduction tolerance: the payer deducted ${c(short)}, which goes to a dispute` },
    };
  }
  if (amount < due) {
    let left = amount;
    const allocations: ProposalAllocation[] = [];
    for (const x of items) {
      if (left === 0n) break;
      const take = x.open < left ? x.open : left;
      allocations.push({ itemId: x.item.itemId, documentNumber: x.item.documentNumber, openMinor: x.open, amountMinor: take });
      left -= take;
    }
    return {
      allocations, writeOffMinor: 0n, writeOffReason: null, unappliedMinor: 0n, deductions: [], kind: 'partial',
      amountReason: { code: 'AMOUNT_PARTIAL', points: POINTS.AMOUNT_PARTIAL, words: `partial payment: ${c(amount)} of ${c(due)}, ${c(due - amount)} stays open` },
    };
  }
  return {
    allocations: full(), writeOffMinor: 0n, writeOffReason: null, unappliedMinor: amount - due, deductions: [], kind: 'overpayment',
    amountReason: { code: 'AMOUNT_OVER', points: POINTS.AMOUNT_OVER, words: `overpayment: ${c(amount)} for ${c(due)}, ${c(amount - due)} stays on account as unapplied cash` },
  };
}

/** Combinations of the customer's items whose open amounts add up to the amount (or within the charge tolerance). */
export function combinations(book: MatchBook, candidates: string[], amount: bigint, settings: MatchSettings, limit = 3): string[][] {
  const pool = candidates.slice(0, 40).map((id) => ({ id, open: book.open.get(id)! })).filter((x) => x.open > 0n && x.open < amount);
  // What the items from i on add up to: a branch that cannot reach the amount any more is left at once.
  const rest: bigint[] = new Array(pool.length + 1).fill(0n);
  for (let i = pool.length - 1; i >= 0; i--) rest[i] = rest[i + 1]! + pool[i]!.open;
  const out: string[][] = [];
  let tried = 0;
  const chosen: number[] = [];
  const walk = (from: number, sum: bigint): void => {
    for (let i = from; i < pool.length; i++) {
      if (out.length >= limit || ++tried > settings.maxCombinations || sum + rest[i]! < amount) return;
      const next = sum + pool[i]!.open;
      if (next > amount) continue;
      chosen.push(i);
      if (next === amount) {
        if (chosen.length >= 2) out.push(chosen.map((k) => pool[k]!.id));
      } else if (chosen.length < settings.maxItems) walk(i + 1, next);
      chosen.pop();
    }
  };
  walk(0, 0n);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// One line.

function build(book: MatchBook, line: MatchLine, settings: MatchSettings, customerId: string, itemIds: string[], refs: Map<string, RefHit>, who: Reason[]): Proposal {
  const settled = settle(book, itemIds, line, settings);
  const reasons: Reason[] = [...capWho(who)];
  // The references: the weakest kind found among the referenced items, times the share referenced.
  const referenced = itemIds.filter((id) => refs.has(id));
  if (referenced.length) {
    const codes = referenced.map((id) => refs.get(id)!.code);
    const weakest = codes.reduce((w, c) => (POINTS[c] < POINTS[w] ? c : w));
    const points = Math.floor((POINTS[weakest] * referenced.length) / itemIds.length);
    const words = referenced.map((id) => refs.get(id)!.words).join('; ');
    reasons.push({ code: weakest, points, words: referenced.length < itemIds.length ? `${words} (${referenced.length} of ${itemIds.length} items referenced)` : words, detail: referenced.map((id) => book.items.get(id)!.documentNumber).join(', ') });
  }
  reasons.push(settled.amountReason);
  const score = Math.min(100, reasons.reduce((s, r) => s + r.points, 0));
  return {
    customerId, kind: settled.kind, score, reasons, allocations: settled.allocations, writeOffMinor: settled.writeOffMinor,
    writeOffReason: settled.writeOffReason, unappliedMinor: settled.unappliedMinor, deductions: settled.deductions,
  };
}

const AMOUNT_FIT: ReadonlySet<ReasonCode> = new Set(['AMOUNT_EXACT', 'AMOUNT_SUM', 'AMOUNT_DISCOUNT', 'AMOUNT_CHARGES']);

// ---------------------------------------------------------------------------------------------------------------
// Sure rules: lines without a reference (or with a mistyped one) that a finance team applies without looking.

/** Levenshtein distance of two keys, or max + 1 as soon as it is certainly more than `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(value);
      if (value < best) best = value;
    }
    if (best > max) return max + 1;
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The customers whose name contains `key` (an abbreviation: 华东贸易 in 上海华东贸易有限公司), all of them: a containing
 * name has every character pair of the key, so the shortest list of one of its pairs holds them all. At least 4
 * Chinese or 8 other characters, else too common to say anything.
 */
function namesContaining(book: MatchBook, key: string): string[] {
  const enough = /\p{Script=Han}/u.test(key) ? [...key].length >= 4 : key.length >= 8;
  if (!enough) return [];
  let shortest: string[] | null = null;
  for (const g of bigrams(key)) {
    const ids = book.byNameGram.get(g) ?? [];
    if (!shortest || ids.length < shortest.length) shortest = ids;
  }
  return (shortest ?? []).filter((id) => book.nameKeys.get(id)!.includes(key));
}

/**
 * The one customer the payer's signals name, or null: the account (known for one customer only) and the name (exactly
 * one customer of that name, or else exactly one whose name contains it) must not name two customers, and one of
 * them must name one. A Dice-similar name or a customer code alone is not enough.
 */
export function surePayer(book: MatchBook, line: MatchLine): string | null {
  const cacheKey = `${line.counterpartyName ?? ''}\u0000${line.counterpartyAccount ?? ''}\u0000${line.texts.join('\u0000')}`;
  const cached = book.surePayerCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const found = surePayerUncached(book, line);
  book.surePayerCache.set(cacheKey, found);
  return found;
}

function surePayerUncached(book: MatchBook, line: MatchLine): string | null {
  const named = new Set<string>();
  if (line.counterpartyAccount) {
    const ids = book.byAccount.get(accountKey(line.counterpartyAccount)) ?? [];
    if (ids.length > 1) return null;
    if (ids.length === 1) named.add(ids[0]!);
  }
  if (line.counterpartyName) {
    const key = nameKey(line.counterpartyName);
    const exact = key ? book.byName.get(key) ?? [] : [];
    const ids = exact.length ? exact : key ? namesContaining(book, key) : [];
    if (ids.length > 1) return null;
    if (ids.length === 1) named.add(ids[0]!);
  }
  if (named.size !== 1) return null;
  // A customer code is a short word any text may hold: it never names the payer alone, but one naming another
  // customer than the account or name do is a contradiction.
  const text = line.texts.filter(Boolean).join(' ');
  const [payer] = named;
  if (text) for (const { key } of referenceCandidates(text)) for (const id of book.byCode.get(key) ?? []) if (id !== payer) return null;
  return payer!;
}

/** The payer and its group (parent, subsidiaries, sister companies): whose items a sure rule may apply the line to. */
export function groupOf(book: MatchBook, customerId: string): string[] {
  const payer = book.customers.get(customerId)!;
  const out = new Set<string>([customerId, ...(book.children.get(customerId) ?? [])]);
  if (payer.parentId && book.customers.has(payer.parentId)) {
    out.add(payer.parentId);
    for (const sister of book.children.get(payer.parentId) ?? []) out.add(sister);
  }
  return [...out];
}

/**
 * Every combination of the items adding up to the amount exactly, of any size, up to 2 (enough to know it is not
 * unique); `complete` false when the search stopped at its bound (the company's maxCombinations steps) before it could tell.
 */
export function uniqueSubset(book: MatchBook, itemIds: string[], amount: bigint, maxSteps: number): { found: string[][]; complete: boolean } {
  // Largest first: the sums overshoot early and the branches close sooner.
  const pool = itemIds.map((id) => ({ id, open: book.open.get(id)! })).filter((x) => x.open > 0n && x.open <= amount).sort((a, b) => (a.open > b.open ? -1 : a.open < b.open ? 1 : 0));
  if (pool.length > 60) return { found: [], complete: false };
  const rest: bigint[] = new Array(pool.length + 1).fill(0n);
  for (let i = pool.length - 1; i >= 0; i--) rest[i] = rest[i + 1]! + pool[i]!.open;
  const found: string[][] = [];
  let steps = 0;
  let complete = true;
  const chosen: number[] = [];
  const walk = (from: number, sum: bigint): void => {
    for (let i = from; i < pool.length; i++) {
      if (found.length >= 2 || !complete) return;
      if (++steps > maxSteps) { complete = false; return; }
      if (sum + rest[i]! < amount) return;
      const next = sum + pool[i]!.open;
      if (next > amount) continue;
      chosen.push(i);
      if (next === amount) found.push(chosen.map((k) => pool[k]!.id));
      else walk(i + 1, next);
      chosen.pop();
    }
  };
  walk(0, 0n);
  return { found, complete: complete || found.length >= 2 };
}

/** Reference-looking words of the text (7 to 24 letters and digits, at least 4 digits), by their confusable key. */
function referenceWords(line: MatchLine): string[] {
  const text = line.texts.filter(Boolean).join(' \n ');
  const out = new Set<string>();
  for (const { key } of referenceCandidates(text)) {
    const conf = confusableKey(key);
    if (conf.length >= 7 && conf.length <= 24 && (conf.match(/\d/g)?.length ?? 0) >= 4) out.add(conf);
  }
  if (line.creditorReference) out.add(confusableKey(referenceKey(line.creditorReference)));
  return [...out];
}

/** Within 2 characters of the item's number, whole or without its letter prefix. */
function near(book: MatchBook, word: string, itemId: string): boolean {
  const key = confusableKey(referenceKey(book.items.get(itemId)!.documentNumber));
  const core = coreKey(key);
  return editDistance(word, key, 2) <= 2 || (!!core && /^\d+$/.test(word) && editDistance(word, core, 2) <= 2);
}

/**
 * Whether a sure rule holds, and for which items: the payer is one customer (surePayer); the amount is the open
 * amount of exactly one item of the payer's group (PAYER_AMOUNT), or of several of which a reference in the text is
 * within 2 characters of exactly one (PAYER_TYPO), or of none while exactly one combination of one customer's items
 * adds up to it, searched to the end (PAYER_SUBSET). Never when the line names any item other than the chosen ones
 * (another invoice, another customer's invoice, an invoice already paid: a duplicate payment), or when a reference
 * in it is within 2 characters of another item of the group and not of the chosen ones.
 */
export function sureRule(book: MatchBook, line: MatchLine, refs: Map<string, RefHit>, settings: MatchSettings): { rule: SureRule; customerId: string; itemIds: string[]; words: string } | null {
  const payer = surePayer(book, line);
  if (!payer) return null;
  // Every item the text names by a known number (exact, or its digits without the prefix), open or paid.
  const text = line.texts.filter(Boolean).join(' \n ');
  const named = new Set<string>(refs.keys());
  for (const { key } of referenceCandidates(text)) {
    if (key.length < 3) continue;
    const core = /^\d+$/.test(key) ? key : coreKey(key);
    for (const id of [...(book.byKey.get(confusableKey(key)) ?? []), ...(core && core.length >= 8 ? book.byCore.get(core) ?? [] : [])]) named.add(id);
  }
  // A paid item named: the line may pay it a second time (a duplicate payment); a person decides.
  if ([...named].some((id) => book.open.get(id)! <= 0n)) return null;
  const group = groupOf(book, payer);
  const openOf = (c: string) => itemsOf(book, c).filter((id) => book.items.get(id)!.currency === line.currency && book.open.get(id)! > 0n);
  const words = referenceWords(line);
  const fits = group.flatMap((c) => openOf(c).filter((id) => book.open.get(id) === line.amountMinor));
  let rule: SureRule;
  let itemIds: string[];
  if (fits.length === 1) {
    rule = 'PAYER_AMOUNT';
    itemIds = fits;
  } else if (fits.length > 1) {
    const close = fits.filter((id) => words.some((w) => near(book, w, id)));
    if (close.length !== 1) return null;
    rule = 'PAYER_TYPO';
    itemIds = close;
  } else {
    // A line that names an item and does not pay its amount is a partial payment or an overpayment, not a combination.
    if (named.size) return null;
    const subsets = group.map((c) => uniqueSubset(book, openOf(c), line.amountMinor, settings.maxCombinations));
    if (subsets.some((x) => !x.complete)) return null;
    const all = subsets.flatMap((x) => x.found);
    if (all.length !== 1) return null;
    rule = 'PAYER_SUBSET';
    itemIds = all[0]!;
  }
  const chosen = new Set(itemIds);
  // Anything the text names must be among the chosen items (a typo landing on another invoice, another customer's).
  if ([...named].some((id) => !chosen.has(id))) return null;
  // A mistyped reference close to another of the group's items (not to a chosen one) says the payer meant that one.
  const others = group.flatMap((c) => openOf(c)).filter((id) => !chosen.has(id));
  for (const w of words) {
    if (itemIds.some((id) => near(book, w, id))) continue;
    if (others.some((id) => near(book, w, id))) return null;
  }
  const customerId = book.items.get(itemIds[0]!)!.customerId;
  const name = book.customers.get(payer)!.name;
  const numbers = itemIds.map((id) => book.items.get(id)!.documentNumber).join(', ');
  const why = rule === 'PAYER_AMOUNT' ? `the payer is ${name} only, and ${numbers} is the only open item of it${group.length > 1 ? 's group' : ''} for this amount`
    : rule === 'PAYER_TYPO' ? `the payer is ${name} only, and of its open items for this amount only ${numbers} is within 2 characters of the reference in the text`
      : `the payer is ${name} only, and ${numbers} is the only combination of its open items that adds up to the amount`;
  return { rule, customerId, itemIds, words: why };
}

/** Whether the amount pays this one item as settle() would call a fit: exactly, less its discount, or net of charges. */
function fitsAlone(book: MatchBook, itemId: string, line: MatchLine, settings: MatchSettings): boolean {
  const open = book.open.get(itemId)!;
  const amount = line.amountMinor;
  if (amount === open) return true;
  const item = book.items.get(itemId)!;
  if (item.discountDate && line.date <= item.discountDate && open === item.openMinor && item.discountAmountMinor > 0n && amount === open - item.discountAmountMinor) return true;
  const short = open - amount;
  return short > 0n && short <= chargeTolerance(settings, open);
}

/** Every proposal for one line, ranked: best score first, then fewer items, then the oldest item first. */
export function proposeForLine(book: MatchBook, line: MatchLine, settings: MatchSettings, fx?: MatchFx): Proposal[] {
  if (line.amountMinor <= 0n) return [];
  const refs = new Map(findReferences(book, line).map((h) => [h.itemId, h]));
  const payers = findPayers(book, line);
  for (const hit of learnedReferences(book, line, [...payers.keys()])) if (!refs.has(hit.itemId)) refs.set(hit.itemId, hit);
  for (const hit of payerTypos(book, line, [...payers.keys()], refs)) if (!refs.has(hit.itemId)) refs.set(hit.itemId, hit);
  const customerIds = new Set<string>(payers.keys());
  for (const id of refs.keys()) customerIds.add(book.items.get(id)!.customerId);
  const proposals = new Map<string, Proposal>();
  const consider = (customerId: string, itemIds: string[], mustFit: boolean) => {
    if (!itemIds.length) return;
    const key = `${customerId}:${[...itemIds].sort().join(',')}`;
    if (proposals.has(key)) return;
    const p = build(book, line, settings, customerId, itemIds, refs, payers.get(customerId) ?? []);
    if (mustFit && !p.reasons.some((r) => AMOUNT_FIT.has(r.code))) return;
    proposals.set(key, p);
  };
  for (const customerId of customerIds) {
    const open = itemsOf(book, customerId).filter((id) => book.items.get(id)!.currency === line.currency && book.open.get(id)! > 0n);
    // A number one character away from an invoice is evidence only when the payer is that customer; otherwise the
    // invoice is proposed only if the amount fits it (below), so "INV-0031" never pays another customer's INV-00531.
    const referenced = open.filter((id) => refs.has(id) && (!refs.get(id)!.typo || payers.has(customerId)));
    // The referenced items, together (one payment for several invoices) and each alone.
    consider(customerId, referenced, false);
    if (referenced.length > 1) for (const id of referenced) consider(customerId, [id], true);
    // Items the amount fits alone (exact, discount, charges): told cheaply first, a proposal built only for those.
    for (const id of open) if (fitsAlone(book, id, line, settings)) consider(customerId, [id], true);
    // Combinations adding up to the amount exactly (referenced items first, then the oldest), unless the amount
    // already fits this customer's referenced items or one item.
    const fits = [...proposals.values()].some((p) => p.customerId === customerId && p.reasons.some((r) => AMOUNT_FIT.has(r.code)));
    if (!fits) {
      const ordered = [...referenced, ...open.filter((id) => !refs.has(id))];
      for (const combo of combinations(book, ordered, line.amountMinor, settings)) consider(customerId, combo, true);
    }
  }
  // Nobody identified: an amount that only one open item in the ledger has is a (weak) lead.
  if (customerIds.size === 0) {
    const same = (book.byAmount.get(`${line.currency}:${line.amountMinor}`) ?? []).filter((id) => book.open.get(id) === line.amountMinor);
    if (same.length === 1) {
      const item = book.items.get(same[0]!)!;
      const p = build(book, line, settings, item.customerId, same, refs, []);
      p.reasons.push({ code: 'AMOUNT_UNIQUE', points: POINTS.AMOUNT_UNIQUE, words: `no other open item is for ${money(line.amountMinor, line.currency)}` });
      p.score = Math.min(100, p.score + POINTS.AMOUNT_UNIQUE);
      proposals.set('unique', p);
    }
  }
  if (fx) for (const p of proposeForeign(book, line, settings, fx, payers)) proposals.set(`fx:${p.customerId}:${p.allocations.map((a) => a.itemId).sort().join(',')}`, p);
  const oldest = (p: Proposal) => book.items.get(p.allocations[0]?.itemId ?? '')?.dueDate ?? '';
  const ranked = [...proposals.values()].sort((a, b) => b.score - a.score || a.allocations.length - b.allocations.length || (oldest(a) < oldest(b) ? -1 : oldest(a) > oldest(b) ? 1 : 0));
  // A sure rule puts its proposal first, marked, with the rule among its reasons (looked for only when the scores
  // alone do not apply the line).
  const [best, second] = ranked;
  const appliedByScore = !!best && best.score >= settings.autoApplyScore && best.score - (second?.score ?? 0) >= settings.ambiguityMargin;
  const sure = appliedByScore ? null : sureRule(book, line, refs, settings);
  if (sure) {
    const key = `${sure.customerId}:${[...sure.itemIds].sort().join(',')}`;
    const p = proposals.get(key) ?? build(book, line, settings, sure.customerId, sure.itemIds, refs, payers.get(sure.customerId) ?? []);
    p.sure = sure.rule;
    p.reasons.push({ code: 'SURE_RULE', points: 0, words: sure.words, detail: sure.rule });
    return [p, ...ranked.filter((x) => x !== p)];
  }
  return ranked;
}

const REFERENCE_CODES: ReadonlySet<ReasonCode> = new Set(['CREDITOR_REF', 'INVOICE_EXACT', 'INVOICE_NORMALIZED', 'INVOICE_FUZZY']);

/** The decision for one line: automatic when the best is sure and clearly ahead, suggested, or unmatched. */
export function decide(lineId: string, ranked: Proposal[], settings: MatchSettings): LineResult {
  const [best, second] = ranked;
  if (best?.sure) {
    const shown = [best, ...ranked.slice(1).filter((p) => p.score >= settings.suggestScore)].slice(0, 5);
    if (!settings.autoApply) return { lineId, status: 'suggested', proposals: shown, note: 'automatic application is off for this company' };
    if (settings.autoApplyScore > 100) return { lineId, status: 'suggested', proposals: shown, note: `sure (${best.sure}), but the auto-apply score ${settings.autoApplyScore} applies nothing automatically` };
    return { lineId, status: 'auto', proposals: shown, note: `sure: ${best.reasons.find((r) => r.code === 'SURE_RULE')!.words}` };
  }
  const shown = ranked.filter((p) => p.score >= settings.suggestScore).slice(0, 5);
  if (!best || best.score < settings.suggestScore) {
    return { lineId, status: 'unmatched', proposals: [], note: best ? `the best proposal scores ${best.score}, below the suggest score ${settings.suggestScore}` : 'no customer or open item fits this line' };
  }
  if (best.score >= settings.autoApplyScore) {
    const lead = best.score - (second?.score ?? 0);
    if (best.fxRate !== undefined && !best.reasons.some((r) => r.code === 'AMOUNT_FX')) {
      return { lineId, status: 'suggested', proposals: shown, note: `scores ${best.score}, but converted at the rate on file the amount is not the items' open amount within the tolerance for the bank's rate: a person decides` };
    }
    if (best.fxRate !== undefined && !best.reasons.some((r) => REFERENCE_CODES.has(r.code))) {
      return { lineId, status: 'suggested', proposals: shown, note: `scores ${best.score}, but it pays items in ${best.allocations[0]?.currency ?? 'another currency'} with money in another currency: that is applied automatically only when the line quotes the invoice number` };
    }
    if (second && lead < settings.ambiguityMargin) {
      return { lineId, status: 'suggested', proposals: shown, note: `ambiguous: the best scores ${best.score}, the second ${second.score}; a lead of ${settings.ambiguityMargin} is needed to apply automatically` };
    }
    if (!settings.autoApply) return { lineId, status: 'suggested', proposals: shown, note: 'automatic application is off for this company' };
    return { lineId, status: 'auto', proposals: shown, note: `scores ${best.score} (at least ${settings.autoApplyScore})${second ? `, ${lead} ahead of the next` : ''}` };
  }
  return { lineId, status: 'suggested', proposals: shown, note: `scores ${best.score}, below the auto-apply score ${settings.autoApplyScore}` };
}

/**
 * A statement's lines in order. A line applied automatically lowers the open amounts the next lines see (two
 * payments for one invoice: the second finds what the first left open).
 */
export function matchLines(book: MatchBook, lines: readonly MatchLine[], settings: MatchSettings, fx?: MatchFx): LineResult[] {
  return lines.map((line) => {
    const result = decide(line.id, proposeForLine(book, line, settings, fx), settings);
    if (result.status === 'auto') {
      const best = result.proposals[0]!;
      for (const a of best.allocations) book.open.set(a.itemId, book.open.get(a.itemId)! - settledMinor(a));
      if (best.writeOffMinor > 0n) {
        const last = best.allocations[best.allocations.length - 1]!;
        book.open.set(last.itemId, book.open.get(last.itemId)! - best.writeOffMinor);
      }
    }
    return result;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Payments in another currency than the invoices' (a USD invoice paid in CNY, a EUR invoice in USD).

/** The rate of `currency` in units of the line's currency on the line's date (a cross rate through the functional), or null. */
export function lineRate(fx: MatchFx, currency: string, line: MatchLine): Ratio | null {
  const of = (c: string) => (c === fx.functional ? ONE : fx.rateOn(c, line.date));
  const item = of(currency);
  const paid = of(line.currency);
  return item && paid && item.units > 0n && paid.units > 0n ? crossRate(item, paid) : null;
}

/**
 * Proposals for the customers' open items in other currencies than the line's: the referenced ones (each, and those
 * of one currency together) and any one whose open amount, converted at the rate on file at the booking date, is the
 * line's amount within the tolerance (the larger of `fx.toleranceBasisPoints` and the bank-charge tolerance of the
 * converted amount). Within it, the items are settled in full for the whole line (the bank's rate, the difference a
 * realised FX gain or loss in the ledger); outside it, at the rate on file: in part (oldest first), or in full with
 * the rest unapplied. The reasons state the rate and the converted amount.
 */
export function proposeForeign(book: MatchBook, line: MatchLine, settings: MatchSettings, fx: MatchFx, payers = findPayers(book, line)): Proposal[] {
  const refs = new Map(findReferences(book, line, true).map((h) => [h.itemId, h]));
  const customerIds = new Set<string>(payers.keys());
  for (const id of refs.keys()) customerIds.add(book.items.get(id)!.customerId);
  const out = new Map<string, Proposal>();
  for (const customerId of customerIds) {
    const open = itemsOf(book, customerId).filter((id) => book.items.get(id)!.currency !== line.currency && book.open.get(id)! > 0n);
    if (!open.length) continue;
    const referenced = open.filter((id) => refs.has(id) && (!refs.get(id)!.typo || payers.has(customerId)));
    const sets: string[][] = referenced.map((id) => [id]);
    const byCurrency = new Map<string, string[]>();
    for (const id of referenced) byCurrency.set(book.items.get(id)!.currency, [...(byCurrency.get(book.items.get(id)!.currency) ?? []), id]);
    for (const ids of byCurrency.values()) if (ids.length > 1) sets.push(ids);
    const fitsAloneFx = (id: string) => {
      const rate = lineRate(fx, book.items.get(id)!.currency, line);
      if (!rate) return false;
      const converted = convertAtRatio(book.open.get(id)!, book.items.get(id)!.currency, line.currency, rate);
      const diff = line.amountMinor - converted;
      return (diff < 0n ? -diff : diff) <= fxTolerance(settings, fx, converted);
    };
    for (const id of open) if (!refs.has(id) && fitsAloneFx(id)) sets.push([id]);
    for (const ids of sets) {
      const key = `${customerId}:${[...ids].sort().join(',')}`;
      if (out.has(key)) continue;
      const p = buildForeign(book, line, settings, fx, customerId, ids, refs, payers.get(customerId) ?? []);
      if (p) out.set(key, p);
    }
  }
  return [...out.values()];
}

function fxTolerance(settings: MatchSettings, fx: MatchFx, convertedMinor: bigint): bigint {
  const share = (convertedMinor * BigInt(fx.toleranceBasisPoints)) / 10_000n;
  const charges = chargeTolerance(settings, convertedMinor);
  return share > charges ? share : charges;
}

function buildForeign(book: MatchBook, line: MatchLine, settings: MatchSettings, fx: MatchFx, customerId: string, itemIds: string[], refs: Map<string, RefHit>, who: Reason[]): Proposal | null {
  const currency = book.items.get(itemIds[0]!)!.currency;
  const rate = lineRate(fx, currency, line);
  if (!rate) return null;
  const items = itemIds.map((id) => ({ item: book.items.get(id)!, open: book.open.get(id)! }));
  const due = items.reduce((s, x) => s + x.open, 0n);
  const converted = convertAtRatio(due, currency, line.currency, rate);
  const amount = line.amountMinor;
  const tolerance = fxTolerance(settings, fx, converted);
  const diff = amount - converted;
  const c = (m: bigint) => `${money(m, line.currency)} ${line.currency}`;
  const rateText = formatRatio(rate);
  const at = `${money(due, currency)} ${currency} at ${rateText} ${line.currency}/${currency} (the rate on file on ${line.date}) is ${c(converted)}`;
  const allocations: ProposalAllocation[] = [];
  let amountReason: Reason;
  let kind: ProposalKind;
  let unapplied = 0n;
  if ((diff < 0n ? -diff : diff) <= tolerance) {
    // The whole line for the whole of the items: the bank's own rate; the line's amount spread in proportion.
    let done = 0n;
    let dueSoFar = 0n;
    for (const [i, x] of items.entries()) {
      dueSoFar += x.open;
      const soFar = i === items.length - 1 ? amount : roundHalfUp(amount * dueSoFar, due);
      allocations.push({ itemId: x.item.itemId, documentNumber: x.item.documentNumber, openMinor: x.open, amountMinor: soFar - done, currency, settlesMinor: x.open });
      done = soFar;
    }
    kind = items.length === 1 ? 'exact' : 'combination';
    amountReason = { code: 'AMOUNT_FX', points: POINTS.AMOUNT_FX, words: `amount ${c(amount)}: ${at}, within the ${c(tolerance)} allowed for the bank's rate`, detail: rateText };
  } else if (amount < converted) {
    // In part at the rate on file, oldest first.
    let left = amount;
    for (const x of items) {
      if (left <= 0n) break;
      const full = convertAtRatio(x.open, currency, line.currency, rate);
      const take = full < left ? full : left;
      let settles = full < left ? x.open : convertAtRatio(take, line.currency, currency, invertRatio(rate));
      if (settles > x.open) settles = x.open;
      if (settles <= 0n) break;
      allocations.push({ itemId: x.item.itemId, documentNumber: x.item.documentNumber, openMinor: x.open, amountMinor: take, currency, settlesMinor: settles });
      left -= take;
    }
    unapplied = left;
    kind = 'partial';
    amountReason = { code: 'AMOUNT_PARTIAL', points: POINTS.AMOUNT_PARTIAL, words: `partial payment: ${at}; ${c(amount)} is short of it by more than the ${c(tolerance)} allowed for the bank's rate, so it settles part at that rate`, detail: rateText };
  } else {
    for (const x of items) {
      allocations.push({ itemId: x.item.itemId, documentNumber: x.item.documentNumber, openMinor: x.open, amountMinor: convertAtRatio(x.open, currency, line.currency, rate), currency, settlesMinor: x.open });
    }
    unapplied = amount - allocations.reduce((s, a) => s + a.amountMinor, 0n);
    kind = 'overpayment';
    amountReason = { code: 'AMOUNT_OVER', points: POINTS.AMOUNT_OVER, words: `overpayment: ${at}; ${c(amount)} is more by more than the ${c(tolerance)} allowed for the bank's rate, ${c(unapplied)} stays unapplied`, detail: rateText };
  }
  if (!allocations.length) return null;
  const reasons: Reason[] = [...capWho(who)];
  const referenced = itemIds.filter((id) => refs.has(id));
  if (referenced.length) {
    const codes = referenced.map((id) => refs.get(id)!.code);
    const weakest = codes.reduce((w, x) => (POINTS[x] < POINTS[w] ? x : w));
    const points = Math.floor((POINTS[weakest] * referenced.length) / itemIds.length);
    reasons.push({ code: weakest, points, words: referenced.map((id) => refs.get(id)!.words).join('; '), detail: referenced.map((id) => book.items.get(id)!.documentNumber).join(', ') });
  }
  reasons.push(amountReason);
  const score = Math.min(100, reasons.reduce((s, r) => s + r.points, 0));
  return { customerId, kind, score, reasons, allocations, writeOffMinor: 0n, writeOffReason: null, unappliedMinor: unapplied, deductions: [], fxRate: rateText };
}

// ---------------------------------------------------------------------------------------------------------------
// Remittance advices: the customer said which invoices a payment pays (src/modules/bank/remittances.ts).

export interface AdviceFacts {
  id: string;
  /** The file name, or the id: how the reasons name the advice. */
  label: string;
  customerId: string;
  currency: string;
  totalMinor: bigint;
  /** The payment reference the advice gives, if one. */
  reference: string | null;
  /**
   * Per advice line: the book's items of the invoice it names (installments, in due-date order; none: not found), the
   * amount paid on it and what the customer says it deducted (0: none).
   */
  lines: { invoiceNumber: string; itemIds: string[]; amountMinor: bigint; deductionMinor?: bigint }[];
}

/**
 * The open advices that fit a line: its currency and exactly its amount, or its amount plus bank charges within the
 * tolerance (the payer's bank took them off the advice's total); those whose reference the line quotes first.
 */
export function advicesFor(line: MatchLine, advices: readonly AdviceFacts[], settings: MatchSettings = DEFAULT_MATCH_SETTINGS): AdviceFacts[] {
  const fit = advices.filter((a) => a.currency === line.currency
    && (a.totalMinor === line.amountMinor || (a.totalMinor > line.amountMinor && a.totalMinor - line.amountMinor <= chargeTolerance(settings, a.totalMinor))));
  const quoted = fit.filter((a) => a.reference && line.texts.some((t) => t && referenceKey(t).includes(referenceKey(a.reference!))));
  return quoted.length ? quoted : fit;
}

/**
 * The proposal an advice makes for a line: each listed invoice gets the amount the customer paid on it (spread over
 * its installments by due date); what cannot be applied (an invoice not found or not the payer's, more than is open)
 * stays on the payment as unapplied cash. Sure (REMITTANCE) when `alone` (no other open advice fits the line) and
 * everything applies: the customer's own statement of what the money is for.
 */
export function adviceProposal(book: MatchBook, line: MatchLine, advice: AdviceFacts, alone: boolean): Proposal {
  const allocations: ProposalAllocation[] = [];
  const deductions: ProposalDeduction[] = [];
  let discount: { itemId: string; amountMinor: bigint } | null = null;
  let unapplied = 0n;
  for (const l of advice.lines) {
    let left = l.amountMinor;
    let deduct = l.deductionMinor ?? 0n;
    for (const id of l.itemIds) {
      const item = book.items.get(id);
      const open = book.open.get(id) ?? 0n;
      if (!item || item.customerId !== advice.customerId || open <= 0n || (left <= 0n && deduct <= 0n)) continue;
      const take = open < left ? open : left;
      if (take > 0n) allocations.push({ itemId: id, documentNumber: item.documentNumber, openMinor: open, amountMinor: take });
      left -= take;
      const rest = open - take;
      // The early-payment discount, taken in its period on an item not yet paid in part, is a discount, not a claim.
      if (!discount && take > 0n && deduct > 0n && deduct === rest && item.discountDate && line.date <= item.discountDate && open === item.openMinor && item.discountAmountMinor === deduct) {
        discount = { itemId: id, amountMinor: deduct };
        deduct = 0n;
        continue;
      }
      // What else the customer says it deducted stays open on the invoice, as a dispute: up to what is left open on it.
      const disputed = rest < deduct ? rest : deduct;
      if (disputed > 0n) deductions.push({ itemId: id, documentNumber: item.documentNumber, amountMinor: disputed });
      deduct -= disputed;
    }
    unapplied += left;
  }
  const c = (m: bigint) => money(m, line.currency);
  const complete = unapplied === 0n && allocations.length > 0;
  // The write-off goes on the last allocation (applyToLedger): the discounted item is put last.
  if (discount) {
    const k = allocations.findIndex((a) => a.itemId === discount!.itemId);
    if (k >= 0) allocations.push(...allocations.splice(k, 1));
  }
  // The line is short of the advice by bank charges (advicesFor keeps only those within the tolerance): the last
  // invoice is paid but for them, and they are written off. With a discount already written off, the charges stay
  // open on it instead (one write-off per application).
  const charges = advice.totalMinor > line.amountMinor ? advice.totalMinor - line.amountMinor : 0n;
  const last = allocations[allocations.length - 1];
  const chargesOff = charges > 0n && !discount && !!last && last.amountMinor > charges;
  if (charges > 0n && last) last.amountMinor -= charges < last.amountMinor ? charges : last.amountMinor;
  const deducted = deductions.reduce((s, d) => s + d.amountMinor, 0n);
  const words = `the customer's remittance advice ${advice.label} lists ${advice.lines.length} invoice(s) for ${c(advice.totalMinor)}`
    + (discount ? `, less the early-payment discount ${c(discount.amountMinor)} taken in its period` : '')
    + (deducted > 0n ? `, less ${c(deducted)} it deducted, which goes to a dispute` : '')
    + (charges > 0n ? `; the payment is ${c(charges)} short of it: bank charges${chargesOff ? ', written off' : ', left open'}` : '')
    + (!complete ? `; ${c(unapplied)} of it names no open invoice of the payer and stays unapplied`
      : alone ? '' : '; another open advice has the same amount: check which one this payment is');
  // Full points only for a complete advice no other advice competes with: the others are shown for review.
  const points = complete && alone ? POINTS.REMITTANCE_ADVICE : complete ? 70 : 50;
  const reasons: Reason[] = [{ code: 'REMITTANCE_ADVICE', points, words, detail: advice.id }];
  const proposal: Proposal = {
    customerId: advice.customerId,
    kind: unapplied > 0n ? 'overpayment' : deducted > 0n ? 'deduction' : discount ? 'discount' : allocations.length === 1 ? 'exact' : 'combination',
    score: points, reasons, allocations, unappliedMinor: unapplied, deductions,
    writeOffMinor: discount?.amountMinor ?? (chargesOff ? charges : 0n), writeOffReason: discount ? 'discount' : chargesOff ? 'bank_charges' : null,
  };
  if (complete && alone) {
    proposal.sure = 'REMITTANCE';
    reasons.push({ code: 'SURE_RULE', points: 0, words: `the payer's remittance advice ${advice.label} names every invoice and amount of this payment`, detail: 'REMITTANCE' });
  }
  return proposal;
}
