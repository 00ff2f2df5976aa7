/**
 * Deterministic data for the ledger benchmark: a CNY trading company (a few customers pay in USD) with N invoices over
 * 18 months, N/10 customers and about 0.7 N payments, written as the CSV files `arflow import` reads. The same N and
 * seed always give byte-identical files, so runs on different machines and databases import the same ledger.
 *
 * Files, in `dir`:
 *   customers.csv   code, name, tax id, terms, credit limit, group, region, people, email, phone, language
 *   invoices.csv    number, customer, date, due date (10%, else from terms), terms (5%), external id (half), amount
 *   payments.csv    reference, customer, date, amount, applies_to (one or two invoices, some partial, some unapplied)
 *   open.csv        invoices no payment touches: the pool the API part of the benchmark pays
 *   manifest.json   row counts, the setup the files assume (terms, FX rate) and the generator version
 */
import fs from 'node:fs';
import path from 'node:path';
import { addDays, toDayNumber, fromDayNumber, type LocalDate } from '../src/domain/dates.ts';
import { usccCheckCharacter } from '../src/domain/tax-id.ts';
import { random } from '../src/demo/random.ts';

/** Bump when the output changes, so cached files from an older generator are not reused. */
export const GENERATOR_VERSION = 1;

export const HISTORY_FROM: LocalDate = '2024-10-01';
export const HISTORY_TO: LocalDate = '2026-03-31';
/** The day the API part of the benchmark posts its payments. */
export const API_DATE: LocalDate = '2026-04-01';

/** What the files assume exists before they are imported; the benchmark creates it. */
export const SETUP = {
  tenant: { code: 'BENCH', name: '基准测试贸易有限公司', currency: 'CNY', timeZone: 'Asia/Shanghai' },
  terms: [
    { code: 'NET30', net: '30', default: true },
    { code: 'NET60', net: '60' },
    { code: 'EOM30', net: '30', eom: true },
    { code: '2-10-N30', net: '30', discount: '2/10' },
    { code: 'SPLIT', installments: '30@0,70@30' },
  ],
  fxRates: [{ currency: 'USD', date: '2024-09-30', rate: '7.1234' }],
} as const;

export interface Manifest {
  version: number;
  seed: number;
  invoices: number;
  customers: number;
  payments: number;
  /** Payment rows that apply to invoices (the rest stay unapplied). */
  applyingPayments: number;
  /** Invoice references in applies_to cells: the allocations the import writes. */
  allocations: number;
  openInvoices: number;
  bytes: Record<string, number>;
}

type Rng = ReturnType<typeof random>;

const CITIES = ['上海', '北京', '深圳', '广州', '杭州', '苏州', '南京', '成都', '武汉', '天津', '宁波', '青岛', '厦门', '西安', '重庆', '无锡'];
const WORDS = ['恒通', '华信', '鼎盛', '瑞丰', '金桥', '宏远', '天成', '嘉禾', '博达', '新元', '永泰', '安和', '中联', '汇丰', '长江', '东方', '海纳', '正泰'];
const TRADES = ['电子科技', '机械制造', '建材', '化工', '食品', '医药', '物流', '纺织', '汽车配件', '新能源', '家居', '贸易'];
const FORMS = ['有限公司', '股份有限公司', '集团有限公司'];
const FOREIGN = ['Acme Components Inc.', 'Northwind Traders LLC', 'Contoso GmbH', 'Fabrikam Ltd.', 'Globex Corp.', 'Initech Pte. Ltd.'];
const REGIONS = ['华东', '华南', '华北', '西南', '华中'];
const SEGMENTS = ['key account', 'distributor', 'retail', 'project'];
const SALES = ['王磊', '李娜', '张伟', '刘洋', '陈静', '杨帆'];
const COLLECTORS = ['赵敏', '孙强', '周婷', '吴昊'];
const TERMS_MIX: [string, number][] = [['NET30', 0.45], ['NET60', 0.2], ['EOM30', 0.1], ['2-10-N30', 0.1], ['SPLIT', 0.05], ['', 0.1]];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const customerCode = (i: number) => `C${pad(i, 6)}`;
const invoiceNumber = (i: number) => `INV-${pad(i, 8)}`;

/** CSV cell: quoted when it holds a comma, quote or line break. */
const cell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

function taxId(rng: Rng): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = '91' + String(rng.int(110000, 659999));
  while (body.length < 17) body += alphabet[rng.int(0, alphabet.length - 1)];
  return body + usccCheckCharacter(body);
}

function weighted(rng: Rng, mix: readonly [string, number][]): string {
  let r = rng.next();
  for (const [value, weight] of mix) {
    if ((r -= weight) < 0) return value;
  }
  return mix[mix.length - 1]![0];
}

/** Minor units as a major-unit decimal, sometimes with thousands separators as exported from Excel. */
function amountText(minor: number, scale: number, grouped: boolean): string {
  const text = scale === 0 ? String(minor) : `${Math.floor(minor / 100)}.${pad(minor % 100, 2)}`;
  if (!grouped) return text;
  const [int, frac] = text.split('.') as [string, string | undefined];
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac === undefined ? '' : `.${frac}`);
}

/** Buffered line writer: one write per ~1 MB, so generating a million rows is quick. */
class LineWriter {
  private readonly fd: number;
  private chunk: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(file: string, header: string) {
    this.fd = fs.openSync(file, 'w');
    this.line(header);
  }
  line(text: string) {
    this.chunk.push(text);
    this.size += text.length + 1;
    if (this.size > 1 << 20) this.flush();
  }
  private flush() {
    if (this.chunk.length === 0) return;
    const buffer = Buffer.from(this.chunk.join('\n') + '\n', 'utf8');
    fs.writeSync(this.fd, buffer);
    this.bytes += buffer.length;
    this.chunk = [];
    this.size = 0;
  }
  close() {
    this.flush();
    fs.closeSync(this.fd);
  }
}

interface CustomerInfo {
  currency: 'CNY' | 'USD';
  /** Days late the customer usually pays (negative: early). */
  delayDays: number;
  /** Share of its invoices the customer pays at all within the history. */
  payRate: number;
}

/** Writes the benchmark files for `invoices` invoices into `dir` (created), unless an identical set is already there. */
export function generate(dir: string, invoices: number, seed = 20260101): Manifest {
  if (!Number.isInteger(invoices) || invoices < 10) throw new Error(`--invoices must be an integer of at least 10, not ${invoices}`);
  const manifestPath = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifestPath)) {
    const cached = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
    const complete = Object.entries(cached.bytes ?? {}).every(([file, bytes]) => fs.existsSync(path.join(dir, file)) && fs.statSync(path.join(dir, file)).size === bytes);
    if (cached.version === GENERATOR_VERSION && cached.seed === seed && cached.invoices === invoices && complete) return cached;
  }
  fs.mkdirSync(dir, { recursive: true });
  const rng = random(seed);
  const customerCount = Math.max(1, Math.floor(invoices / 10));

  // Customers ------------------------------------------------------------------------------------------------------
  const customers: CustomerInfo[] = [];
  const cw = new LineWriter(path.join(dir, 'customers.csv'), 'code,name,tax_id,currency,payment_terms,credit_limit,group_code,segment,region,salesperson,collector,email,phone,language');
  let lastHead = 0;
  for (let i = 1; i <= customerCount; i++) {
    const foreign = rng.chance(0.03);
    const currency = foreign ? 'USD' : 'CNY';
    const name = foreign
      ? `${rng.pick(FOREIGN)} #${i}`
      : `${rng.pick(CITIES)}${rng.pick(WORDS)}${rng.pick(TRADES)}${rng.pick(FORMS)}（${i}）`;
    const terms = weighted(rng, TERMS_MIX);
    const limit = rng.chance(0.8) ? amountText(rng.int(5, 500) * 1_000_000, 2, rng.chance(0.3)) : '';
    // About 1 in 50 customers heads a group; some later customers belong to the latest head.
    let group = '';
    if (rng.chance(0.02)) lastHead = i;
    else if (lastHead && rng.chance(0.1)) group = customerCode(lastHead);
    const hasEmail = rng.chance(0.7);
    const hasPhone = rng.chance(0.5);
    cw.line([
      customerCode(i), cell(name), foreign ? '' : taxId(rng), currency, terms, cell(limit), group, rng.pick(SEGMENTS), rng.pick(REGIONS),
      rng.pick(SALES), rng.pick(COLLECTORS), hasEmail ? `ar${i}@customer${i % 997}.example.cn` : '',
      hasPhone ? `+86 21 ${pad(rng.int(0, 99_999_999), 8)}` : '', foreign ? 'en' : 'zh-CN',
    ].join(','));
    const habit = rng.next();
    customers.push({
      currency,
      delayDays: habit < 0.12 ? -5 : habit < 0.52 ? 0 : habit < 0.8 ? 20 : habit < 0.95 ? 60 : 120,
      payRate: habit < 0.95 ? 0.97 : 0.4,
    });
  }
  cw.close();

  // Invoices, and the payments they will get ------------------------------------------------------------------------
  const from = toDayNumber(HISTORY_FROM);
  const days = toDayNumber(HISTORY_TO) - from + 1;
  const last = toDayNumber(HISTORY_TO);
  const iw = new LineWriter(path.join(dir, 'invoices.csv'), 'number,customer_code,document_date,due_date,payment_terms,currency,external_id,amount');
  const ow = new LineWriter(path.join(dir, 'open.csv'), 'number,customer_code,document_date,currency,amount_minor');
  /** Payment rows keyed by day, so the file comes out in date order like a bank statement. */
  const paymentsByDay: string[][] = Array.from({ length: days + 400 }, () => []);
  /** Per customer, an invoice held back to be paid together with its next one in one receipt. */
  const pending = new Map<number, { number: string; minor: number; day: number }>();
  let applying = 0;
  let allocations = 0;
  let open = 0;
  const addPayment = (day: number, text: string) => paymentsByDay[Math.min(day, last + 399) - from]!.push(text);
  for (let i = 1; i <= invoices; i++) {
    // A few large customers get most invoices (a square skews the pick toward low indexes).
    const r = rng.next();
    const c = Math.floor(r * r * customerCount);
    const customer = customers[c]!;
    const day = from + Math.floor(((i - 1) * days) / invoices);
    const date = fromDayNumber(day);
    const minor = Math.max(100, Math.round(rng.logNormal(customer.currency === 'USD' ? 300_000 : 1_200_000, 1.1)));
    const due = rng.chance(0.1) ? addDays(date, rng.pick([15, 30, 45, 90])) : '';
    const terms = !due && rng.chance(0.05) ? rng.pick(['NET30', 'NET60']) : '';
    const number = invoiceNumber(i);
    iw.line([
      number, customerCode(c + 1), date, due, terms, rng.chance(0.5) ? customer.currency : '', rng.chance(0.5) ? `ERP-${pad(i, 9)}` : '',
      cell(amountText(minor, 2, rng.chance(0.1))),
    ].join(','));

    // Whether and when it is paid: 30 to 60 days after the invoice, moved by the customer's habit.
    const payDay = day + rng.int(25, 60) + customer.delayDays + rng.int(-5, 10);
    const paid = payDay <= last && rng.chance(customer.payRate * 0.88);
    if (!paid) {
      ow.line([number, customerCode(c + 1), date, customer.currency, String(minor)].join(','));
      open += 1;
      continue;
    }
    const code = customerCode(c + 1);
    const kind = rng.next();
    const held = pending.get(c);
    if (held) {
      const both = Math.max(payDay, held.day);
      addPayment(both, [code, fromDayNumber(both), amountText(held.minor + minor, 2, false), '', `${held.number};${number}`].join(','));
      applying += 1;
      allocations += 2;
      pending.delete(c);
      continue;
    }
    if (kind < 0.08) {
      pending.set(c, { number, minor, day: payDay });
      continue;
    }
    if (kind < 0.15) {
      // Part payment, with the amount named.
      const part = Math.max(1, Math.floor(minor * rng.int(30, 90) / 100));
      addPayment(payDay, [code, fromDayNumber(payDay), amountText(part, 2, false), '', cell(`${number}:${amountText(part, 2, true)}`)].join(','));
    } else if (kind < 0.18) {
      // Unapplied: the receipt names no invoice (cash application will match it later).
      addPayment(payDay, [code, fromDayNumber(payDay), amountText(minor, 2, false), '', ''].join(','));
      continue;
    } else {
      addPayment(payDay, [code, fromDayNumber(payDay), amountText(minor, 2, rng.chance(0.1)), '', number].map((v, k) => (k === 2 ? cell(v) : v)).join(','));
    }
    applying += 1;
    allocations += 1;
  }
  // Held invoices whose customer had no later paid invoice are paid on their own.
  for (const [c, held] of pending) {
    addPayment(held.day, [customerCode(c + 1), fromDayNumber(held.day), amountText(held.minor, 2, false), '', held.number].join(','));
    applying += 1;
    allocations += 1;
  }
  iw.close();
  ow.close();

  const pw = new LineWriter(path.join(dir, 'payments.csv'), 'reference,customer_code,date,amount,currency,applies_to');
  let payments = 0;
  for (const list of paymentsByDay) {
    for (const row of list) {
      payments += 1;
      // Rows were built as customer,date,amount,currency,applies_to; the reference numbers them in file order.
      pw.line(`BANK-${pad(payments, 9)},${row}`);
    }
  }
  pw.close();

  const manifest: Manifest = {
    version: GENERATOR_VERSION, seed, invoices, customers: customerCount, payments, applyingPayments: applying, allocations,
    openInvoices: open, bytes: {},
  };
  for (const file of ['customers.csv', 'invoices.csv', 'payments.csv', 'open.csv']) manifest.bytes[file] = fs.statSync(path.join(dir, file)).size;
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

// `node bin/run-ts.mjs bench/generate.ts --invoices N [--dir D] [--seed S]`: the files alone.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const invoices = Number(arg('--invoices') ?? 20000);
  const dir = arg('--dir') ?? path.join('.bench', `data-${invoices}`);
  const started = performance.now();
  const manifest = generate(dir, invoices, Number(arg('--seed') ?? 20260101));
  console.log(`${dir}: ${manifest.customers} customers, ${manifest.invoices} invoices, ${manifest.payments} payments (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
