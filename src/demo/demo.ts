/**
 * The demo company: a CNY trading company in Asia/Shanghai with about 300 customers (some in groups, some paying in
 * USD) and 18 months of invoices, payments, credit notes, advance receipts, write-offs and a bounced payment, drawn
 * from customer payment habits (early, on time, late, very late, defaulting). Deterministic: the same seed and as-of
 * date give the same ledger. It goes through the real import and posting paths, so it also exercises them.
 */
import type { Role } from '../domain/access.ts';
import { createUser, type User } from '../modules/access/index.ts';
import { decideApproval, needsApproval, requestApproval, type ApprovalAction } from '../modules/approvals/index.ts';
import type { Database } from '../db/database.ts';
import { addDays, addMonths, minDate, toDayNumber, fromDayNumber, todayIn, type LocalDate } from '../domain/dates.ts';
import { conflict } from '../domain/errors.ts';
import { formatAmount, parseAmount } from '../domain/money.ts';
import { usccCheckCharacter } from '../domain/tax-id.ts';
import type { Clock, Context } from '../modules/context.ts';
import { importRows } from '../modules/imports/service.ts';
import type { AdvanceRow, CreditNoteRow, CustomerRow, ImportRow, InvoiceRow, PaymentRow, RowResult } from '../modules/imports/rows.ts';
import { applyCredit, postDocument, resolveDocument, reverseDocument } from '../modules/ledger/index.ts';
import { createTenant, listTenants, setDefaultTerms } from '../modules/tenants/index.ts';
import { createTerms } from '../modules/terms/index.ts';
import { setFxRate } from '../modules/fx/index.ts';
import { refreshKpiSnapshots } from '../modules/kpis/index.ts';
import { DEFAULT_SETTINGS, recordRecovery, runProvision, setProvisionSettings } from '../modules/provision/index.ts';
import { seedCreditDemo } from './credit-demo.ts';
import { seedCreditLimits } from './credit-limits-demo.ts';
import { seedBankDemo } from './bank-demo.ts';
import { seedCollections } from './collections-demo.ts';
import { seedDunning } from './dunning-demo.ts';
import { seedPlans } from './plans-demo.ts';
import { endOfMonth } from '../domain/dates.ts';
import { answerConfirmation, issueConfirmation } from '../modules/confirmations/index.ts';
import { setStatementSettings } from '../modules/statements/sends.ts';
import { actOnAlert, defaultSettings, evaluateAlerts, listAlerts, setAlertSettings } from '../modules/alerts/index.ts';
import { random } from './random.ts';

export interface DemoOptions {
  code?: string;
  asOf?: string | undefined;
  invoices?: number;
  customers?: number;
  seed?: number;
}

export interface DemoSummary {
  tenant: string;
  customers: number;
  documents: number;
  allocations: number;
  from: LocalDate;
  to: LocalDate;
}


const CITIES = ['上海', '北京', '深圳', '广州', '杭州', '苏州', '南京', '成都', '武汉', '天津', '宁波', '青岛', '厦门', '西安', '重庆', '无锡', '佛山', '东莞'];
/** Postal codes of the cities' centres, for the demo's addresses. */
const POSTCODES: Record<string, string> = {
  上海: '200120', 北京: '100020', 深圳: '518048', 广州: '510623', 杭州: '310020', 苏州: '215021', 南京: '210019', 成都: '610041', 武汉: '430071',
  天津: '300051', 宁波: '315040', 青岛: '266071', 厦门: '361012', 西安: '710065', 重庆: '400010', 无锡: '214028', 佛山: '528200', 东莞: '523000',
};
const STREETS = ['人民路', '解放路', '中山路', '建设路', '科技园路', '工业大道', '长江路', '滨江大道', '新华路', '和平路'];

/**
 * A customer's postal address, made from its number and city alone (not from the random stream, so adding it changed
 * none of the demo's other figures).
 */
function demoAddress(i: number, name: string, foreign: boolean): string {
  if (foreign) return `${100 + ((i * 13) % 900)} Market Street, Suite ${i}\nSan Francisco, CA 94105\nUnited States`;
  const city = CITIES.find((c) => name.startsWith(c)) ?? '上海';
  return `${city}市${STREETS[(i * 7) % STREETS.length]}${1 + ((i * 37) % 300)}号\n邮编 ${POSTCODES[city]}`;
}
const WORDS = ['恒通', '华信', '鼎盛', '瑞丰', '金桥', '宏远', '天成', '嘉禾', '博达', '新元', '永泰', '安和', '中联', '汇丰', '长江', '东方', '海纳', '正泰', '科达', '明辉', '德润', '凯瑞', '远航', '星河'];
const TRADES = ['电子科技', '机械制造', '建材', '化工', '食品', '医药', '物流', '纺织', '汽车配件', '新能源', '家居', '贸易'];
const FORMS = ['有限公司', '股份有限公司', '集团有限公司'];
const FOREIGN = ['Acme Components Inc.', 'Northwind Traders LLC', 'Contoso GmbH', 'Fabrikam Ltd.', 'Globex Corp.', 'Initech Pte. Ltd.', 'Umbrella Trading Co.', 'Stark Supplies Ltd.', 'Wayne Industrial Inc.', 'Tyrell Parts BV', 'Soylent Foods SA', 'Hooli Devices Inc.'];
const REGIONS = ['华东', '华南', '华北', '西南', '华中'];
const SALES = ['王磊', '李娜', '张伟', '刘洋', '陈静', '杨帆'];

/** The demo company's users, one per role; all sign in with DEMO_PASSWORD (a demo, never a real company). */
export const DEMO_PASSWORD = 'arflow-demo-2026';
export const DEMO_USERS: readonly { email: string; name: string; role: Role; handle?: string }[] = [
  { email: 'admin@demo.example', name: '管理员', role: 'admin' },
  { email: 'finance@demo.example', name: '钱芳', role: 'finance_manager' },
  { email: 'credit@demo.example', name: '郑涛', role: 'credit_manager' },
  { email: 'collector@demo.example', name: '赵敏', role: 'collector', handle: '赵敏' },
  { email: 'sales@demo.example', name: '王磊', role: 'sales', handle: '王磊' },
  { email: 'auditor@demo.example', name: '冯琳', role: 'auditor' },
  { email: 'viewer@demo.example', name: '访客', role: 'viewer' },
];
const COLLECTORS = ['赵敏', '孙强', '周婷', '吴昊'];

type Habit = 'early' | 'on_time' | 'late' | 'very_late' | 'defaulter';
const HABITS: [Habit, number][] = [['early', 0.12], ['on_time', 0.4], ['late', 0.28], ['very_late', 0.15], ['defaulter', 0.05]];

function taxId(rng: ReturnType<typeof random>): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = '91' + String(rng.int(110000, 659999));
  while (body.length < 17) body += alphabet[rng.int(0, alphabet.length - 1)];
  return body + usccCheckCharacter(body);
}

const toRows = <R extends ImportRow>(rows: R[]) => () => (async function* () {
  for (const row of rows) yield { ok: true, row } as RowResult<ImportRow>;
})();

export async function createDemo(db: Database, clock: Clock, options: DemoOptions): Promise<DemoSummary> {
  const code = options.code ?? 'DEMO';
  if ((await listTenants(db)).some((t) => t.code === code)) throw conflict('TENANT_EXISTS', `a tenant ${code} already exists; give the demo another --code`);
  const rng = random(options.seed ?? 20260101);
  const asOf = options.asOf ?? todayIn('Asia/Shanghai', clock.now());
  const start = addMonths(asOf, -18);
  const tenant = await createTenant(db, { code, name: '演示贸易有限公司 (arflow demo)', currency: 'CNY', timeZone: 'Asia/Shanghai', locale: 'zh-CN' }, 'demo');
  const ctx: Context = { db, tenant, clock, actor: 'demo' };

  await createTerms(ctx, { code: 'NET30', name: '月结30天', net: 30 });
  await createTerms(ctx, { code: 'NET60', name: '60天', net: 60 });
  await createTerms(ctx, { code: 'EOM30', name: '月底后30天', eom: true, net: 30 });
  await createTerms(ctx, { code: '2-10-N30', name: '10天内付款折扣2%，净30天', net: 30, discount: '2/10' });
  await createTerms(ctx, { code: 'SPLIT3', name: '分三期', installments: '30@0,40@30,30@60' });
  await createTerms(ctx, { code: 'EONM', name: '次月底', monthsAfterEom: 1 });
  await setDefaultTerms(db, tenant, 'NET30', 'demo');
  const withDefault = { ...ctx, tenant: { ...tenant, defaultTermsCode: 'NET30' } };

  // USD rates, monthly, a random walk around 7.15.
  let usd = 71500;
  for (let d = addMonths(start, -1); d <= asOf; d = addMonths(d, 1)) {
    usd = Math.min(73500, Math.max(69500, usd + rng.int(-600, 600)));
    await setFxRate(withDefault, { currency: 'USD', date: `${d.slice(0, 7)}-01`, rate: (usd / 10000).toFixed(4) });
  }

  // Customers ------------------------------------------------------------------------------------------------------
  const customerCount = options.customers ?? 300;
  const customers: (CustomerRow & { habit: Habit; weight: number })[] = [];
  const usedNames = new Set<string>();
  for (let i = 1; i <= customerCount; i++) {
    const foreign = i % 20 === 7;
    let name: string;
    do name = foreign ? `${rng.pick(FOREIGN).replace(/\.$/, '')} ${rng.int(1, 99)}` : `${rng.pick(CITIES)}${rng.pick(WORDS)}${rng.pick(TRADES)}${rng.pick(FORMS)}`;
    while (usedNames.has(name));
    usedNames.add(name);
    const roll = rng.next();
    let acc = 0;
    const habit = HABITS.find(([, p]) => (acc += p) >= roll)?.[0] ?? 'on_time';
    const size = rng.chance(0.1) ? 'key' : rng.chance(0.35) ? 'mid' : 'small';
    const code = `C${String(i).padStart(4, '0')}`;
    customers.push({
      line: i + 1, code, name, taxId: foreign ? undefined : taxId(rng), address: demoAddress(i, name, foreign), currency: foreign ? 'USD' : undefined,
      paymentTerms: foreign ? 'NET60' : rng.pick(['NET30', 'NET30', 'NET30', 'EOM30', '2-10-N30', 'NET60', 'EONM']),
      creditLimit: String(size === 'key' ? rng.int(200, 800) * 10000 : size === 'mid' ? rng.int(50, 200) * 10000 : rng.int(5, 50) * 10000),
      groupCode: i > 10 && i <= 40 ? `C${String(((i - 11) % 10) + 1).padStart(4, '0')}` : undefined,
      segment: size, region: foreign ? '海外' : rng.pick(REGIONS), salesperson: rng.pick(SALES), collector: rng.pick(COLLECTORS),
      email: `ar@${code.toLowerCase()}.example.cn`, phone: `+86 138${String(rng.int(0, 99999999)).padStart(8, '0')}`,
      language: foreign ? 'en' : 'zh-CN', habit, weight: size === 'key' ? 8 : size === 'mid' ? 3 : 1,
    });
  }
  await importRows(withDefault, 'customers', toRows(customers.map(({ habit: _h, weight: _w, ...row }) => row)));

  // Invoices, and the payments their customers' habits lead to ------------------------------------------------------
  const totalWeight = customers.reduce((s, c) => s + c.weight, 0);
  const pickCustomer = () => {
    let r = rng.next() * totalWeight;
    for (const c of customers) if ((r -= c.weight) <= 0) return c;
    return customers[customers.length - 1]!;
  };
  const span = toDayNumber(asOf) - toDayNumber(start);
  const invoiceCount = options.invoices ?? 5000;
  const invoices: (InvoiceRow & { customer: (typeof customers)[number]; dueGuess: LocalDate; amountMinor: bigint })[] = [];
  for (let i = 1; i <= invoiceCount; i++) {
    const customer = pickCustomer();
    const date = fromDayNumber(toDayNumber(start) + Math.floor((span * (i - 1 + rng.next())) / invoiceCount));
    const median = customer.segment === 'key' ? 120000 : customer.segment === 'mid' ? 40000 : 12000;
    const amountMinor = BigInt(Math.max(10000, Math.round(rng.logNormal(median, 0.8) * 100)));
    const split = customer.currency === undefined && rng.chance(0.04);
    invoices.push({
      line: i + 1, number: `INV-${date.slice(0, 4)}-${String(i).padStart(5, '0')}`, customerCode: customer.code, documentDate: date,
      paymentTerms: split ? 'SPLIT3' : undefined, currency: customer.currency, amount: formatAmount(amountMinor, customer.currency ?? 'CNY'),
      customer, dueGuess: addDays(date, customer.paymentTerms === 'NET60' || split ? 60 : 30), amountMinor,
    });
  }
  await importRows(withDefault, 'invoices', toRows(invoices.map(({ customer: _c, dueGuess: _d, amountMinor: _a, ...row }) => row)));

  const delayDays: Record<Habit, () => number> = {
    early: () => -rng.int(5, 20),
    on_time: () => rng.int(-3, 5),
    late: () => Math.round(rng.logNormal(20, 0.6)),
    very_late: () => Math.round(rng.logNormal(75, 0.5)),
    defaulter: () => (rng.chance(0.35) ? Math.round(rng.logNormal(120, 0.5)) : 10000),
  };
  const payments: PaymentRow[] = [];
  const creditNotes: CreditNoteRow[] = [];
  let paymentNo = 0;
  for (const inv of invoices) {
    const currency = inv.customer.currency ?? 'CNY';
    const creditDate = addDays(inv.documentDate, rng.int(3, 20));
    if (rng.chance(0.03) && creditDate <= asOf) {
      // Returns or price corrections: 5-20% credited against the invoice, a few days after it.
      const creditMinor = (inv.amountMinor * BigInt(rng.int(5, 20))) / 100n;
      creditNotes.push({ line: creditNotes.length + 2, number: `CN-${inv.number.slice(4)}`, customerCode: inv.customerCode, date: creditDate, amount: formatAmount(creditMinor, currency), currency: inv.currency, againstInvoice: inv.number });
      inv.amountMinor -= creditMinor;
    }
    const payDate = addDays(inv.dueGuess, delayDays[inv.customer.habit]());
    if (payDate > asOf || payDate < inv.documentDate) continue;
    paymentNo += 1;
    const partial = rng.chance(0.08);
    const paidMinor = partial ? (inv.amountMinor * BigInt(rng.int(30, 80))) / 100n : inv.amountMinor;
    payments.push({
      line: paymentNo + 1, reference: `BANK-${payDate.replaceAll('-', '')}-${String(paymentNo).padStart(5, '0')}`, customerCode: inv.customerCode,
      date: payDate, amount: formatAmount(paidMinor, currency), currency: inv.currency, appliesTo: [{ number: inv.number, amount: formatAmount(paidMinor, currency) }],
    });
  }
  creditNotes.sort((a, b) => (a.date < b.date ? -1 : 1));
  await importRows(withDefault, 'credit-notes', toRows(creditNotes));
  payments.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // Some customers pay a little more than they owe or pay on account: unapplied cash.
  for (let i = 0; i < Math.max(3, Math.round(invoiceCount / 250)); i++) {
    const c = pickCustomer();
    paymentNo += 1;
    const date = fromDayNumber(toDayNumber(asOf) - rng.int(1, 60));
    payments.push({ line: paymentNo + 1, reference: `BANK-${date.replaceAll('-', '')}-${String(paymentNo).padStart(5, '0')}`, customerCode: c.code, date, amount: formatAmount(BigInt(rng.int(1000, 50000) * 100), c.currency ?? 'CNY'), currency: c.currency });
  }
  await importRows(withDefault, 'payments', toRows(payments));

  // Advance receipts (预收账款): deposits for orders; most later applied to an invoice of the same customer.
  const advances: AdvanceRow[] = [];
  const domestic = customers.filter((c) => !c.currency);
  for (let i = 1; i <= Math.max(5, Math.round(invoiceCount / 50)); i++) {
    const c = rng.pick(domestic);
    const date = fromDayNumber(toDayNumber(start) + rng.int(0, span - 1));
    advances.push({ line: i + 1, reference: `ADV-${String(i).padStart(4, '0')}`, customerCode: c.code, date, amount: formatAmount(BigInt(rng.int(50, 500) * 10000), 'CNY') });
  }
  await importRows(withDefault, 'advances', toRows(advances));
  for (const adv of advances) {
    if (!rng.chance(0.7)) continue;
    const later = invoices.find((inv) => inv.customerCode === adv.customerCode && inv.documentDate >= adv.date);
    if (!later) continue;
    try {
      await applyCredit(withDefault, { from: { kind: 'advance', number: adv.reference }, to: [{ document: later.number }] });
    } catch {
      // The invoice may already be paid by then: the advance stays unapplied, as in life.
    }
  }

  // Defaulters' oldest invoices, more than a year overdue, are written off; one payment bounced.
  const writeOffCutoff = addDays(asOf, -400);
  let writeOffs = 0;
  for (const inv of invoices) {
    if (writeOffs >= 5 || inv.customer.habit !== 'defaulter' || inv.dueGuess > writeOffCutoff || inv.customer.currency) continue;
    const doc = await db.tenant(tenant.id, (sql) => resolveDocument(sql, tenant.id, `invoice:${inv.number}`));
    const open = await db.tenant(tenant.id, (sql) => sql.query<{ open: bigint }>(`SELECT coalesce(sum(b.open_minor), 0)::int8 AS open FROM items i JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id WHERE i.tenant_id = $1 AND i.document_id = $2`, [tenant.id, doc.id]));
    const openMinor = open[0]!.open;
    if (openMinor === 0n) continue;
    writeOffs += 1;
    await postDocument(withDefault, { kind: 'write_off', number: `WO-${inv.number.slice(4)}`, customer: inv.customerCode, documentDate: addDays(inv.dueGuess, 380), amount: formatAmount(openMinor, 'CNY'), appliesTo: [{ document: inv.number }], reason: '客户已注销，确认无法收回' });
  }
  const bounced = payments.find((p) => p.appliesTo && p.date < addDays(asOf, -30) && p.currency === undefined);
  if (bounced) {
    const doc = await db.tenant(tenant.id, (sql) => resolveDocument(sql, tenant.id, `payment:${bounced.reference}`));
    await reverseDocument(withDefault, doc.id, { reason: '支票退票 (cheque returned unpaid)', date: addDays(bounced.date, 3) });
  }

  // One user per role, to try each one's view (README, "Demo users"). A collector and a sales person own customers.
  // Emails are unique across companies: a demo under another code gets its own domain (admin@x.demo.example).
  const domain = code === 'DEMO' ? 'demo.example' : `${code.toLowerCase().replace(/[^a-z0-9-]/g, '-')}.demo.example`;
  const users = new Map<string, User>();
  for (const u of DEMO_USERS) users.set(u.email, (await createUser(ctx, { ...u, email: u.email.replace('demo.example', domain), password: DEMO_PASSWORD, locale: 'zh-CN' })).user);

  // The approvals inbox at work: requests by different users, waiting for a second person, and one already decided.
  // They go through the same checks and services as the API's, so they are audited like any other.
  const as = (email: string, hoursAgo: number): Context => {
    const user = users.get(email)!;
    return {
      ...withDefault, actor: user.email, clock: { now: () => new Date(clock.now().getTime() - hoursAgo * 3_600_000) },
      principal: { tenantId: tenant.id, userId: user.id, actor: user.email, name: user.name, role: user.role, handle: user.handle, via: 'session' },
    };
  };
  const ask = (who: Context, action: ApprovalAction, request: unknown) => db.tenant(tenant.id, async (sql) => {
    const summary = await needsApproval(sql, who, action, request);
    if (!summary) throw new Error(`assertion failed: the demo's ${action} request does not need approval`);
    return requestApproval(sql, who, action, request, summary);
  });
  const openOf = async (number: string) => {
    const doc = await db.tenant(tenant.id, (sql) => resolveDocument(sql, tenant.id, `invoice:${number}`));
    return doc.reversedById ? 0n : (await db.tenant(tenant.id, (sql) => sql.query<{ open: bigint }>(`SELECT coalesce(sum(b.open_minor), 0)::int8 AS open FROM items i JOIN item_balances b ON b.tenant_id = i.tenant_id AND b.item_id = i.id WHERE i.tenant_id = $1 AND i.document_id = $2`, [tenant.id, doc.id])))[0]!.open;
  };
  const domesticKeys = customers.filter((c) => !c.currency && c.segment === 'key');
  const [raised, granted] = [domesticKeys[0] ?? domestic[0]!, domesticKeys[1] ?? domestic[1]!];
  // credit@ asked for a higher limit for a key customer a week ago; admin@ approved it the next day.
  const grantedLimit = BigInt(granted.creditLimit!) + 500_000n;
  const decided = await ask(as('credit@demo.example', 7 * 24), 'customer.credit', { code: granted.code, patch: { creditLimit: `${grantedLimit}.00` } });
  await decideApproval(as('admin@demo.example', 6 * 24), decided.id, 'approve', { reason: '已核对近两年付款记录，均按期付款' });
  // finance@ asks to write off a defaulter's long-overdue invoice (every write-off of the demo company needs approval).
  for (const inv of invoices) {
    if (inv.customer.habit !== 'defaulter' || inv.customer.currency || inv.dueGuess > addDays(asOf, -180)) continue;
    const openMinor = await openOf(inv.number);
    if (openMinor === 0n) continue;
    await ask(as('finance@demo.example', 50), 'write_off.post', {
      kind: 'write_off', customer: inv.customerCode, documentDate: asOf, amount: formatAmount(openMinor, 'CNY'), appliesTo: [{ document: inv.number }],
      reason: '逾期超过半年，多次催收无果，客户已停止经营',
    });
    break;
  }
  // credit@ asks for a higher limit for another key customer.
  const raisedLimit = BigInt(raised.creditLimit!) + 1_000_000n;
  await ask(as('credit@demo.example', 26), 'customer.credit', { code: raised.code, patch: { creditLimit: `${raisedLimit}.00` } });
  // finance@ asks to reverse a recent payment that was posted to the wrong customer.
  const misposted = payments.findLast((p) => p.appliesTo && p.currency === undefined && p !== bounced && p.date < asOf);
  if (misposted) {
    const doc = await db.tenant(tenant.id, (sql) => resolveDocument(sql, tenant.id, `payment:${misposted.reference}`));
    await ask(as('finance@demo.example', 3), 'document.reverse', { ref: doc.id, reason: '银行回单属于另一家客户，误登记到此客户' });
  }

  // Bad-debt provision (坏账准备): the default rates by aging bucket, lower ones for key accounts, ECL with a 5%
  // forward-looking uplift; runs at the last two month-ends by finance@, and between them a partial recovery of a
  // write-off, so the report has history and a movement with utilisation and a recovery.
  const finance = as('finance@demo.example', 2);
  await setProvisionSettings(finance, {
    ...DEFAULT_SETTINGS,
    segments: { key: { current: '0.5', '1-30': '2', '31-60': '5', '61-90': '15', '91-180': '40', '181-365': '70', 'over-365': '100' } },
    ecl: { ...DEFAULT_SETTINGS.ecl, factor: '1.05' },
  });
  const lastMonthEnd = endOfMonth(addMonths(asOf, -1));
  const firstRunEnd = endOfMonth(addMonths(asOf, -2));
  await runProvision(finance, { asOf: firstRunEnd, method: 'aging' });
  const recoveryDate = addDays(firstRunEnd, 12);
  const [recoverable] = await db.tenant(tenant.id, (sql) => sql.query<{ number: string; amount: bigint }>(
    `SELECT number, amount_minor AS amount FROM documents WHERE tenant_id = $1 AND kind = 'write_off' AND document_date <= $2 ORDER BY document_date DESC, number LIMIT 1`, [tenant.id, recoveryDate]));
  if (recoverable) {
    await recordRecovery(finance, { writeOff: recoverable.number, date: recoveryDate, amount: formatAmount(recoverable.amount * 3n / 10n, 'CNY'), memo: '破产清算分配款 (liquidator\'s distribution)' });
  }
  await runProvision(finance, { asOf: lastMonthEnd, method: 'aging' });

  // Statements and balance confirmations (对账函): the letterhead, monthly statements on the 5th (sent once email is set
  // up), and confirmations issued by finance@ five days after the last quarter-end to the largest balances; four
  // confirmed, one disputed with a difference, the rest still waiting.
  await setStatementSettings(ctx, { address: '上海市浦东新区世纪大道100号 环球金融中心 28楼', statementDay: 5 });
  let quarterEnd = addDays(`${addDays(asOf, -10).slice(0, 7)}-01`, -1);
  while (![3, 6, 9, 12].includes(Number(quarterEnd.slice(5, 7)))) quarterEnd = addDays(`${quarterEnd.slice(0, 7)}-01`, -1);
  const onDay = (email: string, day: LocalDate): Context => ({ ...as(email, 0), clock: { now: () => new Date(`${day}T04:00:00Z`) } });
  const largest = await db.tenant(tenant.id, (sql) => sql.query<{ code: string; currency: string }>(
    `SELECT c.code, d.currency FROM documents d JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id
      WHERE d.tenant_id = $1 AND d.document_date <= $2 GROUP BY c.code, d.currency
     HAVING sum(CASE d.side WHEN 'debit' THEN d.amount_minor ELSE -d.amount_minor END) > 0
      ORDER BY d.currency = 'CNY' DESC, sum(CASE d.side WHEN 'debit' THEN d.amount_minor ELSE -d.amount_minor END) DESC`, [tenant.id, quarterEnd]));
  const chosen = [...largest.filter((r) => r.currency === 'CNY').slice(0, 7), ...largest.filter((r) => r.currency !== 'CNY').slice(0, 1)];
  const issueDay = minDate(addDays(quarterEnd, 5), asOf);
  for (const [n, pick] of chosen.entries()) {
    const issued = await issueConfirmation(onDay('finance@demo.example', issueDay), { customer: pick.code, asOf: quarterEnd, note: '请于收到本函后十日内回函' }, undefined);
    const answerDay = minDate(addDays(issueDay, 6 + n), asOf);
    if (n < 4) {
      await answerConfirmation(onDay('finance@demo.example', answerDay), issued.number, { status: 'confirmed', answeredOn: answerDay }, undefined);
    } else if (n === 4) {
      // Their books lack our last invoice before the quarter-end: it was still in the post.
      const [late] = await db.tenant(tenant.id, (sql) => sql.query<{ number: string; amountMinor: bigint }>(
        `SELECT d.number, d.amount_minor AS "amountMinor" FROM documents d JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id
          WHERE d.tenant_id = $1 AND c.code = $2 AND d.kind = 'invoice' AND d.document_date <= $3 ORDER BY d.document_date DESC, d.number DESC LIMIT 1`,
        [tenant.id, pick.code, quarterEnd]));
      const ours = issued.balances.find((b) => b.currency === 'CNY')!;
      const missing = late?.amountMinor ?? 100_000n;
      const theirs = parseAmount(ours.balance, 'CNY', 'balance', { allowNegative: true }) - missing;
      await answerConfirmation(onDay('finance@demo.example', answerDay), issued.number, {
        status: 'disputed', answeredOn: answerDay, theirBalances: [{ currency: 'CNY', balance: formatAmount(theirs, 'CNY') }],
        explanation: '我方截至季末未收到该张发票，已于次月入账',
        differences: [{ document: late?.number, amount: formatAmount(-missing, 'CNY'), reason: '发票在途，对方次月入账' }],
      }, undefined);
    }
  }

  // Credit files, statements, grades and reviews (src/demo/credit-demo.ts), by the credit manager.
  await seedCreditDemo(as('credit@demo.example', 1), customers.map((c) => ({ code: c.code, creditLimit: c.creditLimit!, foreign: c.currency === 'USD' })), asOf);
  // Credit limits, open orders, holds (src/demo/credit-limits-demo.ts).
  await seedCreditLimits(db, withDefault, as, rng, customers, asOf);
  // Early warning (预警): credit@ set the rule thresholds for a company of this size; the daily evaluation ran a week
  // ago and today (some alerts of a week ago have cleared since and were auto-resolved); collector@ acknowledged
  // the first alert routed to them, credit@ resolved one with a note.
  const creditManager = as('credit@demo.example', 10 * 24);
  const alertRules = defaultSettings('CNY');
  alertRules.rules.overdue_days.days = 60;
  alertRules.rules.overdue_amount.amount = '500000.00';
  alertRules.rules.concentration.percent = 8;
  await setAlertSettings(creditManager, alertRules);
  const daily = (hoursAgo: number): Context => ({ ...withDefault, actor: 'job:alerts.daily', clock: { now: () => new Date(clock.now().getTime() - hoursAgo * 3_600_000) } });
  await evaluateAlerts(daily(7 * 24), { asOf: addDays(asOf, -7) });
  await evaluateAlerts(daily(0), { asOf });
  const collectorAlerts = await db.tenant(tenant.id, (sql) => listAlerts(as('collector@demo.example', 0), sql, { owner: 'me', limit: 5 }));
  if (collectorAlerts.rows[0]) await actOnAlert(as('collector@demo.example', 2), collectorAlerts.rows[0].id, 'acknowledge', { note: '已电话联系财务，对方承诺月底前付款' });
  const creditAlerts = await db.tenant(tenant.id, (sql) => listAlerts(as('credit@demo.example', 0), sql, { owner: 'me', limit: 5 }));
  const settled = creditAlerts.rows.find((a) => a.rule === 'limit_utilisation') ?? creditAlerts.rows.at(-1);
  if (settled && creditAlerts.total > 1) await actOnAlert(as('credit@demo.example', 1), settled.id, 'resolve', { note: '已申请临时提高额度，审批通过前暂停发货' });

  // Bank statements (src/demo/bank-demo.ts): yesterday's camt.052 and camt.053 from the main bank and a GBK CSV export,
  // imported by finance@.
  await seedBankDemo(as('finance@demo.example', 3), asOf);
  // Disputes, promises to pay and the collector's calls (src/demo/collections-demo.ts).
  await seedCollections(db, withDefault, as);
  // Dunning after the disputes and promises, which it skips (src/demo/dunning-demo.ts).
  await seedDunning(as('finance@demo.example', 1));
  // Payment plans, agency and legal cases, collector targets (src/demo/plans-demo.ts); then today's alerts again, as
  // the daily job would see them after the plans (a missed installment) and the promises decided (a broken one).
  await seedPlans(db, withDefault, as);
  await evaluateAlerts(daily(0), { asOf });

  // KPI snapshots of yesterday and the last 12 month ends, so the KPI dashboard shows a year of trends at once.
  await refreshKpiSnapshots(withDefault, 12);

  const [counts] = await db.tenant(tenant.id, (sql) => sql.query<{ documents: bigint; allocations: bigint }>(
    `SELECT (SELECT count(*) FROM documents WHERE tenant_id = $1)::int8 AS documents, (SELECT count(*) FROM allocations WHERE tenant_id = $1)::int8 AS allocations`, [tenant.id]));
  return { tenant: code, customers: customers.length, documents: Number(counts!.documents), allocations: Number(counts!.allocations), from: start, to: asOf };
}
