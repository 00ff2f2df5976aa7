/**
 * `npm run eval:credit`: how well the scorecard's approach separates good from bad on public data, against Altman's
 * Z alone (docs/credit-model.md records the numbers). Reproducible: a fixed seed splits each data set 70/30,
 * stratified by outcome; bins and points are fitted on the 70% and AUC and KS measured on the 30%.
 *
 * The scorecard's approach, as arflow's scorecard applies it: each factor is cut into bins (quintiles of the
 * training values for numbers, one bin per category, a bin of its own for missing values), each bin gets points,
 * and the score is the sum. Points are the bin's weight of evidence, ln(share of goods / share of bads) with 0.5
 * added to each count (so an empty bin has finite points); every factor weighs the same (no regression fit). This is
 * the points table a credit manager would read off the training data; arflow's default scorecard is hand-set in the
 * same form.
 *
 * Data (never copied into the repo): ARFLOW_DATASETS, else ../shared/datasets beside the repository, else
 * /work/shared/datasets. Numbers here are statistics of a model, not money: plain floats, printed to 4 places.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auc, ks } from '../domain/credit.ts';

type Value = number | string | null;
interface Dataset { name: string; columns: string[]; rows: Value[][]; bad: boolean[] }

export function datasetsDir(): string | null {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  for (const dir of [process.env.ARFLOW_DATASETS, path.resolve(root, '../shared/datasets'), '/work/shared/datasets']) {
    if (dir && fs.existsSync(dir)) return dir;
  }
  return null;
}

/** mulberry32: a small seeded generator, so the split is the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Indices split 70/30 within goods and within bads (Fisher–Yates with the seeded generator). */
export function stratifiedSplit(bad: readonly boolean[], seed: number): { train: number[]; test: number[] } {
  const random = rng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [false, true]) {
    const idx = bad.map((b, i) => (b === cls ? i : -1)).filter((i) => i >= 0);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const cut = Math.round(idx.length * 0.7);
    train.push(...idx.slice(0, cut));
    test.push(...idx.slice(cut));
  }
  return { train, test };
}

interface FittedFactor { column: number; numeric: boolean; cuts: number[]; points: Map<string, number> }

function binOf(f: { numeric: boolean; cuts: number[] }, v: Value): string {
  if (v === null) return 'missing';
  if (!f.numeric) return String(v);
  let b = 0;
  while (b < f.cuts.length && (v as number) > f.cuts[b]!) b++;
  return `q${b}`;
}

/** Fits quintile / category bins and weight-of-evidence points of every column on the training rows. */
export function fitScorecard(d: Dataset, train: readonly number[]): FittedFactor[] {
  const goods = train.filter((i) => !d.bad[i]).length;
  const bads = train.length - goods;
  return d.columns.map((_, column) => {
    const values = train.map((i) => d.rows[i]![column]!).filter((v) => v !== null);
    const numeric = values.length > 0 && values.every((v) => typeof v === 'number');
    const sorted = numeric ? (values as number[]).slice().sort((a, b) => a - b) : [];
    const cuts = numeric ? [...new Set([0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.floor(q * (sorted.length - 1))]!))] : [];
    const counts = new Map<string, { g: number; b: number }>();
    for (const i of train) {
      const key = binOf({ numeric, cuts }, d.rows[i]![column]!);
      const c = counts.get(key) ?? { g: 0, b: 0 };
      if (d.bad[i]) c.b++; else c.g++;
      counts.set(key, c);
    }
    const points = new Map([...counts].map(([k, c]) => [k, Math.log(((c.g + 0.5) / (goods + 0.5)) / ((c.b + 0.5) / (bads + 0.5)))]));
    return { column, numeric, cuts, points };
  });
}

/** Risk score of a row: minus the sum of its bins' points (higher = riskier); an unseen bin scores 0. */
export function riskOf(factors: readonly FittedFactor[], row: readonly Value[]): number {
  return -factors.reduce((s, f) => s + (f.points.get(binOf(f, row[f.column]!)) ?? 0), 0);
}

function loadGerman(dir: string): Dataset {
  const lines = fs.readFileSync(path.join(dir, 'credit-scoring/uci-statlog-german-credit/german.data'), 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const numeric = new Set([1, 4, 7, 10, 12, 15, 17]);
  const rows = lines.map((l) => l.trim().split(/\s+/));
  return {
    name: 'German credit (UCI Statlog, 1,000 applicants, 300 bad)',
    columns: Array.from({ length: 20 }, (_, i) => `A${i + 1}`),
    rows: rows.map((r) => r.slice(0, 20).map((v, i) => (numeric.has(i) ? Number(v) : v))),
    bad: rows.map((r) => r[20] === '2'),
  };
}

function loadPolish(dir: string): Dataset {
  const text = fs.readFileSync(path.join(dir, 'bankruptcy/uci-polish-bankruptcy/1year.arff'), 'utf8');
  const data = text.slice(text.toLowerCase().indexOf('@data') + 5).split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('%'));
  const rows = data.map((l) => l.split(','));
  return {
    name: 'Polish companies, year 1 (UCI, 7,027 companies, 271 bankrupt)',
    columns: Array.from({ length: 64 }, (_, i) => `Attr${i + 1}`),
    rows: rows.map((r) => r.slice(0, 64).map((v) => (v.trim() === '?' ? null : Number(v)))),
    bad: rows.map((r) => r[64]!.trim() === '1'),
  };
}

/**
 * Altman from the Polish ratios: A = Attr3 (working capital / total assets), B = Attr6 (retained earnings / TA),
 * C = Attr7 (EBIT / TA), D = Attr8 (book value of equity / total liabilities), E = Attr9 (sales / TA).
 */
const ALTMAN = {
  public: [1.2, 1.4, 3.3, 0.6, 1.0],
  private: [0.717, 0.847, 3.107, 0.42, 0.998],
  nonManufacturing: [6.56, 3.26, 6.72, 1.05, 0],
} as const;
function altman(row: readonly Value[], k: readonly number[]): number | null {
  const x = [row[2], row[5], row[6], row[7], row[8]];
  if (x.some((v) => v === null || !Number.isFinite(v as number))) return null;
  return x.reduce((s: number, v, i) => s + k[i]! * (v as number), 0);
}

const f4 = (x: number) => x.toFixed(4);

export function evaluate(dir: string, seed = 20260101): string {
  const out: string[] = [`seed ${seed}, 70/30 split stratified by outcome; AUC and KS on the held-out 30%`, ''];
  for (const d of [loadGerman(dir), loadPolish(dir)]) {
    const { train, test } = stratifiedSplit(d.bad, seed);
    const card = fitScorecard(d, train);
    const s = test.map((i) => riskOf(card, d.rows[i]!));
    const b = test.map((i) => d.bad[i]!);
    out.push(`${d.name}: train ${train.length}, test ${test.length} (${b.filter(Boolean).length} bad)`);
    out.push(`| model | test rows | AUC | KS |`, `|---|---|---|---|`);
    out.push(`| scorecard (binned points, ${d.columns.length} factors) | ${test.length} | ${f4(auc(s, b))} | ${f4(ks(s, b))} |`);
    if (d.columns.length === 64) {
      const rows = test.filter((i) => altman(d.rows[i]!, ALTMAN.public) !== null);
      const bb = rows.map((i) => d.bad[i]!);
      const cs = rows.map((i) => riskOf(card, d.rows[i]!));
      out.push(`| scorecard, rows where Z is computable | ${rows.length} | ${f4(auc(cs, bb))} | ${f4(ks(cs, bb))} |`);
      const five = fitScorecard({ ...d, columns: ['Attr3', 'Attr6', 'Attr7', 'Attr8', 'Attr9'], rows: d.rows.map((r) => [r[2]!, r[5]!, r[6]!, r[7]!, r[8]!]) }, train);
      const fs5 = rows.map((i) => riskOf(five, [d.rows[i]![2]!, d.rows[i]![5]!, d.rows[i]![6]!, d.rows[i]![7]!, d.rows[i]![8]!]));
      out.push(`| scorecard on Altman's five ratios only | ${rows.length} | ${f4(auc(fs5, bb))} | ${f4(ks(fs5, bb))} |`);
      for (const [form, k] of Object.entries(ALTMAN)) {
        const z = rows.map((i) => -altman(d.rows[i]!, k)!);
        out.push(`| Altman ${form} Z alone | ${rows.length} | ${f4(auc(z, bb))} | ${f4(ks(z, bb))} |`);
      }
    } else {
      out.push('', 'The German data has no financial statements, so Altman Z does not apply to it.');
    }
    out.push('');
  }
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = datasetsDir();
  if (!dir) {
    console.warn('eval:credit: no datasets found (set ARFLOW_DATASETS or put them in ../shared/datasets); nothing evaluated');
  } else {
    console.log(evaluate(dir));
  }
}
