/**
 * The cash-matching benchmark: `npm run bench:cashapp -- [--items 1000000] [--lines 10000] [--seed 7] [--no-docs]`.
 *
 * The pure engine (src/domain/bank/matching.ts) on a generated ledger with ground truth, in memory: what the module
 * does after it has read the open items and customers from the database (that read is not timed here).
 *
 * 1. A ledger: items/20 customers (three in four with Chinese names 城市 + 字号 + 行业 + 有限公司, one in four English
 *    "Word Word Industry Co., Ltd."; 30% with a payer account learned from earlier matches), each with 20 open
 *    invoices INV-YYYY-NNNNNNN of 100.00 to 50,000.00 (one in ten on 2/10 terms, its discount still open).
 * 2. Statement lines, each with the truth (customer and invoices) and a scenario:
 *    exact (number as written, exact amount, payer name) · format (other separators, lower case) · typo (O for 0, a
 *    character dropped or changed, the prefix left out) · account (a learned account, exact amount, no reference) ·
 *    alias (a short or differently written payer name, exact amount, no reference) · multi (2–10 invoices named, their
 *    sum) · multi-noref (2–4 invoices, their sum, the payer's name only) · partial (one invoice named, half paid) ·
 *    charges (one named, 15.00 short; tolerance 20.00) · discount (one named, 2% less, within the period) ·
 *    duplicate (an exact line sent again: its invoice is paid by then) · stranger (no customer: a foreign payer, an
 *    amount and a text of their own).
 * 3. Matches them in order (an automatic application lowers the open amounts for the lines after it) and reports: the
 *    share of matchable lines applied automatically, the share of automatic applications that were wrong (customer
 *    or invoices not the truth, or a line without truth applied), the top-1 accuracy of the suggestions, per scenario,
 *    the time to index and to match (lines/s) and the memory.
 * 4. With `--pg`: the same ledger and lines end to end on PostgreSQL (DATABASE_URL, else postgres://postgres@127.0.0.1
 *    :5432/postgres; a database arflow_bench_cashapp is made afresh): customers, learned accounts, invoices (documents,
 *    items, item_balances) written by set-based inserts as the ledger would hold them, the lines imported as one
 *    camt.053 statement through the bank import, then the module's own matchStatement timed as a dry run (reading the
 *    customers and the candidate items, matching, deciding; the postings of the applications are not part of it),
 *    with the same ground truth.
 * 5. Prints a table and writes it into docs/benchmarks.md between `<!-- bench:cashapp -->` markers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBook, DEFAULT_MATCH_SETTINGS, matchLines, type MatchCustomer, type MatchItem, type MatchLine, type MatchSettings } from '../src/domain/bank/matching.ts';
import { random } from '../src/demo/random.ts';
import pg from 'pg';
import { openPostgres } from '../src/db/database.ts';
import { importBankBytes } from '../src/modules/bank/index.ts';
import { matchStatement, saveMatchSettings } from '../src/modules/bank/matching.ts';
import type { Context } from '../src/modules/context.ts';
import { createTenant } from '../src/modules/tenants/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = path.join(ROOT, 'docs', 'benchmarks.md');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITEMS = arg('items', 1_000_000);
const LINES = arg('lines', 10_000);
const SEED = arg('seed', 7);
const WRITE_DOCS = !process.argv.includes('--no-docs');
/** Also end to end on PostgreSQL (DATABASE_URL, else the local server): the module's matching call with its reads. */
const ON_POSTGRES = process.argv.includes('--pg');
const PER_CUSTOMER = 20;
const rng = random(SEED);

const CITIES = ['上海', '北京', '杭州', '深圳', '广州', '苏州', '南京', '天津', '成都', '武汉', '宁波', '青岛', '厦门', '无锡', '重庆', '西安'];
// Each character once (the list had 通, 信, 安, 天 … twice, which gave two customers the same registered name).
const CHARS = [...new Set('华东嘉禾远景新元金桥海信恒达鑫源宏图瑞丰博通德昌永安明辉天成广泰盛世汇通中联安信众合立信同创万利兴隆佳美富康景天凯旋正大长城')];
const TRADES = ['贸易', '科技', '机电', '化工', '食品', '物流', '电子', '建材', '医药', '纺织', '汽车配件', '家居'];
const WORDS = ['Apex', 'Blue', 'Harbor', 'Summit', 'Golden', 'Pacific', 'North', 'Silver', 'Union', 'Bright', 'Eagle', 'Delta', 'Prime', 'Orient', 'River', 'Star'];
const TRADES_EN = ['Trading', 'Technology', 'Machinery', 'Chemicals', 'Foods', 'Logistics', 'Electronics', 'Materials', 'Pharma', 'Textiles'];
const STRANGERS = ['Müller Handels GmbH', 'Jean Dupont SARL', 'Acme Widgets Inc', '张三', 'Rossi S.p.A.', 'Nordic Fisk AS', '李四五金店', 'Tanaka Shoji KK'];

const customerCount = Math.max(1, Math.floor(ITEMS / PER_CUSTOMER));
const customers: MatchCustomer[] = [];
const shortNames: string[] = [];
// Chinese names are drawn (city, two characters of 字号, trade) from their own stream, so that the lines below stay the
// same: a registered name is unique in its city (drawn again if taken), but one 字号 + trade (the short name a payer
// writes) may be registered in several cities, as in life. (Before: the city was the slowest-varying part, so every
// customer up to a million items was in 上海 and no short name was shared, and a repeated character in the list gave
// some customers the same registered name.)
const nameRng = random(SEED + 1);
const takenNames = new Set<string>();
for (let i = 0; i < customerCount; i++) {
  const english = i % 4 === 3;
  let name: string;
  let short: string;
  if (english) {
    const k = Math.floor(i / 4);
    const w1 = WORDS[k % WORDS.length]!;
    const w2 = WORDS[Math.floor(k / WORDS.length) % WORDS.length]!;
    const trade = TRADES_EN[Math.floor(k / (WORDS.length * WORDS.length)) % TRADES_EN.length]!;
    const n = Math.floor(k / (WORDS.length * WORDS.length * TRADES_EN.length));
    name = `${w1} ${w2} ${trade}${n ? ` ${String.fromCharCode(65 + (n % 26))}${Math.floor(n / 26) || ''}` : ''} Co., Ltd.`;
    short = name.replace(' Co., Ltd.', '').toUpperCase();
  } else {
    do {
      // 字号 of two or three characters.
      const core = `${nameRng.pick(CHARS)}${nameRng.pick(CHARS)}${nameRng.chance(0.5) ? nameRng.pick(CHARS) : ''}`;
      const trade = nameRng.pick(TRADES);
      name = `${nameRng.pick(CITIES)}${core}${trade}有限公司`;
      short = `${core}${trade}`;
    } while (takenNames.has(name));
    takenNames.add(name);
  }
  customers.push({ id: `c${i}`, code: `C${String(i).padStart(6, '0')}`, name, accounts: rng.chance(0.3) ? [`62${String(100_000_000 + i).padStart(12, '0')}`] : [] });
  shortNames.push(short);
}
const items: MatchItem[] = [];
let seq = 0;
for (const c of customers) {
  for (let j = 0; j < PER_CUSTOMER && items.length < ITEMS; j++) {
    seq++;
    const year = 2024 + (seq % 3);
    const open = BigInt(rng.int(10_000, 5_000_000));
    const discount = rng.chance(0.1);
    items.push({
      itemId: `i${seq}`, documentNumber: `INV-${year}-${String(seq).padStart(7, '0')}`, customerId: c.id, currency: 'CNY', openMinor: open,
      documentDate: '2025-06-01', dueDate: `2025-${String(1 + (seq % 12)).padStart(2, '0')}-15`,
      discountDate: discount ? '2026-07-10' : null, discountAmountMinor: discount ? (open * 2n) / 100n : 0n,
    });
  }
}
const byCustomer = new Map<string, MatchItem[]>();
for (const i of items) byCustomer.set(i.customerId, [...(byCustomer.get(i.customerId) ?? []), i]);

type Scenario = 'exact' | 'format' | 'typo' | 'account' | 'alias' | 'multi' | 'multi-noref' | 'partial' | 'charges' | 'discount' | 'duplicate' | 'stranger';
const MIX: [Scenario, number][] = [
  ['exact', 25], ['format', 10], ['typo', 10], ['account', 8], ['alias', 5], ['multi', 10], ['multi-noref', 5], ['partial', 5],
  ['charges', 5], ['discount', 5], ['duplicate', 5], ['stranger', 7],
];
const total = MIX.reduce((s, [, w]) => s + w, 0);
const pickScenario = (): Scenario => {
  let r = rng.next() * total;
  for (const [s, w] of MIX) if ((r -= w) < 0) return s;
  return 'exact';
};

interface Truth { scenario: Scenario; customerId: string | null; itemIds: string[] }
const used = new Set<string>();
const takeItems = (c: MatchCustomer, n: number, filter: (i: MatchItem) => boolean = () => true): MatchItem[] | null => {
  const free = (byCustomer.get(c.id) ?? []).filter((i) => !used.has(i.itemId) && filter(i));
  if (free.length < n) return null;
  const out = free.slice(0, n);
  for (const i of out) used.add(i.itemId);
  return out;
};
const money = (minor: bigint) => `${minor / 100n}.${(minor % 100n).toString().padStart(2, '0')}`;
const typo = (n: string): string => {
  const k = rng.int(0, 2);
  if (k === 0) return n.replace(/0/g, 'O');
  if (k === 1) return n.replace(/^INV-/, '');
  const at = n.length - rng.int(1, 4);
  return n.slice(0, at) + String((Number(n[at]) + 1) % 10) + n.slice(at + 1);
};
const lines: MatchLine[] = [];
const truths: Truth[] = [];
const sent: MatchLine[] = [];
while (lines.length < LINES) {
  const scenario = pickScenario();
  const c = customers[rng.int(0, customers.length - 1)]!;
  const base = { id: `L${lines.length}`, currency: 'CNY', date: '2026-06-30', creditorReference: null, counterpartyAccount: null as string | null };
  let line: MatchLine | null = null;
  let truth: Truth | null = null;
  const one = (filter?: (i: MatchItem) => boolean) => takeItems(c, 1, filter)?.[0] ?? null;
  if (scenario === 'exact' || scenario === 'format' || scenario === 'typo') {
    const i = one();
    if (!i) continue;
    const number = scenario === 'exact' ? i.documentNumber : scenario === 'format' ? i.documentNumber.toLowerCase().replace(/-/g, ' ') : typo(i.documentNumber);
    line = { ...base, amountMinor: i.openMinor, texts: [`货款 ${number}`], counterpartyName: c.name };
    truth = { scenario, customerId: c.id, itemIds: [i.itemId] };
  } else if (scenario === 'account') {
    if (!c.accounts.length) continue;
    const i = one();
    if (!i) continue;
    line = { ...base, amountMinor: i.openMinor, texts: ['货款'], counterpartyName: null, counterpartyAccount: c.accounts[0]! };
    truth = { scenario, customerId: c.id, itemIds: [i.itemId] };
  } else if (scenario === 'alias') {
    const i = one();
    if (!i) continue;
    line = { ...base, amountMinor: i.openMinor, texts: ['payment'], counterpartyName: shortNames[Number(c.id.slice(1))]! };
    truth = { scenario, customerId: c.id, itemIds: [i.itemId] };
  } else if (scenario === 'multi' || scenario === 'multi-noref') {
    const n = scenario === 'multi' ? rng.int(2, 10) : rng.int(2, 4);
    const list = takeItems(c, n);
    if (!list) continue;
    const sum = list.reduce((s, i) => s + i.openMinor, 0n);
    line = { ...base, amountMinor: sum, texts: [scenario === 'multi' ? `付 ${list.map((i) => i.documentNumber).join('、')}` : '货款'], counterpartyName: c.name };
    truth = { scenario, customerId: c.id, itemIds: list.map((i) => i.itemId) };
  } else if (scenario === 'partial' || scenario === 'charges') {
    const i = one();
    if (!i) continue;
    line = { ...base, amountMinor: scenario === 'partial' ? i.openMinor / 2n : i.openMinor - 1_500n, texts: [`${i.documentNumber} 货款`], counterpartyName: c.name };
    truth = { scenario, customerId: c.id, itemIds: [i.itemId] };
  } else if (scenario === 'discount') {
    const i = one((x) => x.discountAmountMinor > 0n);
    if (!i) continue;
    line = { ...base, amountMinor: i.openMinor - i.discountAmountMinor, texts: [`${i.documentNumber}`], counterpartyName: c.name };
    truth = { scenario, customerId: c.id, itemIds: [i.itemId] };
  } else if (scenario === 'duplicate') {
    const earlier = sent.length ? sent[rng.int(0, sent.length - 1)]! : null;
    if (!earlier) continue;
    line = { ...earlier, id: base.id };
    truth = { scenario, customerId: null, itemIds: [] };
  } else {
    line = { ...base, amountMinor: BigInt(rng.int(1_000, 9_000_000)), texts: [`ORDER ${rng.int(1000, 99999)} / ${money(BigInt(rng.int(100, 99999)))}`], counterpartyName: rng.pick(STRANGERS) };
    truth = { scenario, customerId: null, itemIds: [] };
  }
  if (scenario === 'exact') sent.push(line);
  lines.push(line);
  truths.push(truth);
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '—');
// PostgreSQL first, before the in-memory book (1 GB at a million items) is on the heap.
const pgRows = ON_POSTGRES ? await runOnPostgres() : [];

const settings: MatchSettings = { ...DEFAULT_MATCH_SETTINGS, chargeToleranceMinor: 2_000n };
const heapBefore = process.memoryUsage().heapUsed;
let t0 = performance.now();
const book = buildBook(items, customers);
const indexSeconds = (performance.now() - t0) / 1000;
const heapAfterIndex = process.memoryUsage().heapUsed;
const heapIndex = heapAfterIndex - heapBefore;
t0 = performance.now();
// The module's own loop: a line applied automatically lowers what the next lines see.
const results = matchLines(book, lines, settings);
const matchSeconds = (performance.now() - t0) / 1000;
const rss = process.memoryUsage().rss;

interface Tally { lines: number; matchable: number; auto: number; wrongAuto: number; suggested: number; top1: number; unmatched: number }
const blank = (): Tally => ({ lines: 0, matchable: 0, auto: 0, wrongAuto: 0, suggested: 0, top1: 0, unmatched: 0 });
const all = blank();
const byScenario = new Map<Scenario, Tally>();
results.forEach((r, n) => {
  const truth = truths[n]!;
  const s = byScenario.get(truth.scenario) ?? blank();
  byScenario.set(truth.scenario, s);
  const best = r.proposals[0];
  const right = !!best && !!truth.customerId && best.customerId === truth.customerId
    && [...best.allocations.map((a) => a.itemId)].sort().join() === [...truth.itemIds].sort().join();
  for (const t of [all, s]) {
    t.lines++;
    if (truth.customerId) t.matchable++;
    if (r.status === 'auto') {
      t.auto++;
      if (!right) t.wrongAuto++;
    } else if (r.status === 'suggested') {
      t.suggested++;
      if (right) t.top1++;
    } else t.unmatched++;
  }
});

const autoMatchable = (t: Tally) => t.auto - (t.matchable ? 0 : t.auto);
const rows = [...byScenario].sort((a, b) => b[1].lines - a[1].lines).map(([name, t]) =>
  `| ${name} | ${t.lines} | ${pct(autoMatchable(t), t.matchable)} | ${t.auto ? `${t.wrongAuto} (${pct(t.wrongAuto, t.auto)})` : '0'} | ${t.suggested} | ${pct(t.top1, t.suggested)} | ${t.unmatched} |`);
const autoOfMatchable = results.filter((r, n) => r.status === 'auto' && truths[n]!.customerId).length;
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const report = [
  `${ITEMS.toLocaleString('en')} open items of ${customers.length.toLocaleString('en')} customers, ${LINES.toLocaleString('en')} lines (seed ${SEED}), Node ${process.version}, ${ON_POSTGRES ? 'end to end on PostgreSQL, then the engine alone in memory' : 'engine only (in memory)'}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} at the end.`,
  '',
  '| | |',
  '|---|---|',
  `| matchable lines applied automatically | ${pct(autoOfMatchable, all.matchable)} (${autoOfMatchable} of ${all.matchable}) |`,
  `| automatic applications that were wrong | ${pct(all.wrongAuto, all.auto)} (${all.wrongAuto} of ${all.auto}) |`,
  `| top-1 accuracy of the suggestions | ${pct(all.top1, all.suggested)} (${all.top1} of ${all.suggested}) |`,
  `| indexing the open items | ${indexSeconds.toFixed(2)} s, heap ${ON_POSTGRES ? `${mb(heapAfterIndex)} after (the PostgreSQL run's garbage is collected meanwhile)` : `+${mb(heapIndex)}`} |`,
  `| matching | ${matchSeconds.toFixed(2)} s, ${Math.round(LINES / matchSeconds).toLocaleString('en')} lines/s |`,
  `| resident memory at the end | ${mb(rss)} |`,
  ...pgRows,
  '',
  '| scenario | lines | applied automatically (of matchable) | wrong automatic | suggested | top-1 of suggested | unmatched |',
  '|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(report);

if (WRITE_DOCS) {
  const begin = '<!-- bench:cashapp -->';
  const end = '<!-- /bench:cashapp -->';
  const section = `${begin}\n${report}\n${end}`;
  let doc = fs.readFileSync(DOCS, 'utf8');
  if (doc.includes(begin)) doc = doc.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), section);
  else {
    doc += `\n## Cash matching (\`npm run bench:cashapp\`)\n\nThe matching engine (docs/cash-matching.md) on a generated ledger with ground truth; see bench/cashapp.ts for the\nscenarios. The section between the markers is rewritten by the script.\n\n${section}\n`;
  }
  fs.writeFileSync(DOCS, doc);
}

/**
 * The ledger and the lines on PostgreSQL, and the module's matching call timed there (a dry run: reads, matching and
 * decisions, not the postings). Returns the report's rows.
 */
async function runOnPostgres(): Promise<string[]> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = 'arflow_bench_cashapp';
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openPostgres(target.toString(), 4);
  try {
    await db.migrate();
    const tenant = await createTenant(db, { code: 'CASHBENCH', name: '核销基准测试有限公司', currency: 'CNY' });
    const ctx: Context = { db, tenant, clock: { now: () => new Date('2026-06-30T12:00:00Z') }, actor: 'bench' };
    // Ids as uuids, one range per kind, from the generator's numbers.
    const uuid = (kind: number, n: number) => `00000000-0000-7000-${(0x8000 + kind).toString(16)}-${n.toString(16).padStart(12, '0')}`;
    const customerUuid = (id: string) => uuid(1, Number(id.slice(1)));
    const itemUuid = (id: string) => uuid(2, Number(id.slice(1)));
    const documentUuid = (id: string) => uuid(3, Number(id.slice(1)));
    let t0 = performance.now();
    const chunk = 20_000;
    await db.system(async (sql) => {
      for (let k = 0; k < customers.length; k += chunk) {
        const part = customers.slice(k, k + chunk);
        await sql.query(
          `INSERT INTO customers (tenant_id, id, code, name, currency, payload_hash)
           SELECT $1, unnest($2::uuid[]), unnest($3::text[]), unnest($4::text[]), 'CNY', 'bench'`,
          [tenant.id, part.map((c) => customerUuid(c.id)), part.map((c) => c.code), part.map((c) => c.name)]);
        const known = part.filter((c) => c.accounts.length);
        await sql.query(
          `INSERT INTO customer_bank_accounts (tenant_id, id, customer_id, account_key, account, source, created_by)
           SELECT $1, unnest($2::uuid[]), unnest($2::uuid[]), unnest($3::text[]), unnest($3::text[]), 'learned', 'bench'`,
          [tenant.id, known.map((c) => customerUuid(c.id)), known.map((c) => c.accounts[0]!)]);
      }
      for (let k = 0; k < items.length; k += chunk) {
        const part = items.slice(k, k + chunk);
        const params = [
          tenant.id, part.map((i) => documentUuid(i.itemId)), part.map((i) => itemUuid(i.itemId)), part.map((i) => i.documentNumber),
          part.map((i) => customerUuid(i.customerId)), part.map((i) => i.documentDate), part.map((i) => i.dueDate), part.map((i) => i.openMinor.toString()),
          part.map((i) => i.discountDate), part.map((i) => i.discountAmountMinor.toString()),
        ];
        await sql.query(
          `INSERT INTO documents (tenant_id, id, kind, side, number, customer_id, document_date, posting_date, due_date, currency, amount_minor, fx_rate, functional_amount_minor, payload_hash, created_by)
           SELECT $1, d, 'invoice', 'debit', n, c, dd, dd, due, 'CNY', a, 1, a, 'bench', 'bench'
           FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::date[], $6::date[], $7::bigint[]) AS x(d, n, c, dd, due, a)`, [params[0], params[1], params[3], params[4], params[5], params[6], params[7]]);
        await sql.query(
          `INSERT INTO items (tenant_id, id, document_id, customer_id, seq, side, currency, amount_minor, due_date, discount_date, discount_amount_minor)
           SELECT $1, i, d, c, 1, 'debit', 'CNY', a, due, dd, da
           FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::date[], $6::bigint[], $7::date[], $8::bigint[]) AS x(d, i, c, due, a, dd, da)`,
          [params[0], params[1], params[2], params[4], params[6], params[7], params[8], params[9]]);
        await sql.query(
          `INSERT INTO item_balances (tenant_id, item_id, customer_id, amount_minor, open_minor, side, currency, document_date, due_date, kind)
           SELECT $1, i, c, a, a, 'debit', 'CNY', dd, due, 'invoice'
           FROM unnest($2::uuid[], $3::uuid[], $4::date[], $5::date[], $6::bigint[]) AS x(i, c, dd, due, a)`,
          [params[0], params[2], params[4], params[5], params[6], params[7]]);
      }
    });
    await db.execute('ANALYZE');
    const loadSeconds = (performance.now() - t0) / 1000;
    // The lines as one camt.053 statement, imported by the bank import (one booked credit each, in order).
    const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const amount = (minor: bigint) => `${minor / 100n}.${(minor % 100n).toString().padStart(2, '0')}`;
    const sum = lines.reduce((s, l) => s + l.amountMinor, 0n);
    const entries = lines.map((l, n) => `<Ntry><Amt Ccy="CNY">${amount(l.amountMinor)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>${l.date}</Dt></BookgDt><ValDt><Dt>${l.date}</Dt></ValDt><AcctSvcrRef>B${n}</AcctSvcrRef><NtryDtls><TxDtls>
<RltdPties>${l.counterpartyName ? `<Dbtr><Nm>${xml(l.counterpartyName)}</Nm></Dbtr>` : ''}${l.counterpartyAccount ? `<DbtrAcct><Id><Othr><Id>${l.counterpartyAccount}</Id></Othr></Id></DbtrAcct>` : ''}</RltdPties>
<RmtInf><Ustrd>${xml(l.texts.filter(Boolean).join(' '))}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`);
    const camt = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>CASHBENCH</MsgId><CreDtTm>2026-06-30T23:00:00</CreDtTm></GrpHdr>
<Stmt><Id>CASHBENCH-20260630</Id><Acct><Id><Othr><Id>CN-BENCH-001</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-30</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">${amount(sum)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-30</Dt></Dt></Bal>
${entries.join('\n')}
</Stmt></BkToCstmrStmt></Document>`;
    const imported = await importBankBytes(ctx, Buffer.from(camt), { fileName: 'cashbench.xml' });
    await saveMatchSettings(ctx, { chargeTolerance: '20.00' });
    t0 = performance.now();
    const run = await matchStatement(ctx, imported.statements[0]!.id, { dryRun: true });
    const matchSeconds = (performance.now() - t0) / 1000;
    // The same ground truth, by the uuids.
    const itemOf = new Map(items.map((i) => [itemUuid(i.itemId), i.itemId]));
    let auto = 0;
    let wrong = 0;
    let autoMatchable = 0;
    run.lines.forEach((l, n) => {
      const truth = truths[n]!;
      if (l.status !== 'auto_applied') return;
      auto++;
      if (truth.customerId) autoMatchable++;
      const best = l.proposals[0]!;
      const right = !!truth.customerId && best.customer?.code === customers[Number(truth.customerId.slice(1))]!.code
        && best.allocations.map((a) => itemOf.get(a.itemId)).sort().join() === [...truth.itemIds].sort().join();
      if (!right) wrong++;
    });
    const matchable = truths.filter((t) => t.customerId).length;
    return [
      `| PostgreSQL: writing the ledger (set-based inserts) | ${loadSeconds.toFixed(1)} s, not part of the target |`,
      `| **PostgreSQL end to end: the module's matchStatement (dry run)** | **${matchSeconds.toFixed(2)} s** for ${run.lines.length.toLocaleString('en')} lines (reads of customers and candidate items, matching, decisions) |`,
      `| PostgreSQL: applied automatically / wrong | ${pct(autoMatchable, matchable)} (${autoMatchable} of ${matchable}) / ${wrong} of ${auto} |`,
    ];
  } finally {
    await db.close();
  }
}
