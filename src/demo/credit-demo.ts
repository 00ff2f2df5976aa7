/**
 * The demo company's credit management (issue 5): statements for the first 40 domestic customers (two years each,
 * sized from their credit limits, some healthy, some stretched, a few in distress), credit files with ratings,
 * insurance and qualitative factors, group limits on the ten group parents, the default scorecard, and assessments
 * by credit@ at different past dates that set grades, so that some reviews are due today and the queue has work.
 */
import { addMonths, endOfMonth, type LocalDate } from '../domain/dates.ts';
import type { Context } from '../modules/context.ts';
import { addFinancials, assessCustomer, completeReview, saveCreditFile } from '../modules/credit/index.ts';
import { random } from './random.ts';

const AGENCIES = ['中诚信', '联合资信', '大公国际', 'Dun & Bradstreet'];
const RATINGS = ['AA', 'A', 'A', 'BBB', 'BBB', 'BBB', 'BB', 'BB', 'B', 'CCC'];

/** Whole yuan as a "1234.00" amount. */
const yuan = (n: number) => `${Math.round(n)}.00`;

export async function seedCreditDemo(credit: Context, customers: readonly { code: string; creditLimit: string; foreign: boolean }[], asOf: LocalDate): Promise<void> {
  const rng = random(5005);
  const domestic = customers.filter((c) => !c.foreign).slice(0, 40);
  const lastYearEnd = `${Number(asOf.slice(0, 4)) - 1}-12-31`;
  for (const [i, c] of domestic.entries()) {
    // A company's size from the limit we gave it: sales about 20× the limit.
    const sales = Number(c.creditLimit) * rng.int(12, 30);
    const health = i % 9 === 4 ? 'distress' : i % 4 === 1 ? 'stretched' : 'healthy';
    const statement = (periodEnd: LocalDate, growth: number) => {
      const s = sales * growth;
      const totalAssets = s * (0.6 + rng.next() * 0.5);
      const debtShare = health === 'distress' ? 0.85 + rng.next() * 0.2 : health === 'stretched' ? 0.6 + rng.next() * 0.15 : 0.3 + rng.next() * 0.25;
      const totalLiabilities = totalAssets * debtShare;
      const currentAssets = totalAssets * (0.45 + rng.next() * 0.2);
      const currentLiabilities = totalLiabilities * (health === 'distress' ? 0.8 : 0.55 + rng.next() * 0.2);
      const margin = health === 'distress' ? -0.03 + rng.next() * 0.02 : health === 'stretched' ? 0.01 + rng.next() * 0.03 : 0.05 + rng.next() * 0.07;
      const ebit = s * margin;
      const interest = totalLiabilities * 0.045;
      const equity = totalAssets - totalLiabilities;
      return {
        periodEnd, currentAssets: yuan(currentAssets), cash: yuan(currentAssets * (0.1 + rng.next() * 0.2)), inventory: yuan(currentAssets * (0.2 + rng.next() * 0.2)),
        receivables: yuan(currentAssets * 0.35), totalAssets: yuan(totalAssets), currentLiabilities: yuan(currentLiabilities), totalLiabilities: yuan(totalLiabilities),
        equity: yuan(equity), retainedEarnings: yuan(equity * (health === 'distress' ? -0.2 : 0.4)), sales: yuan(s), ebit: yuan(ebit),
        netIncome: yuan((ebit - interest) * 0.75), interestExpense: yuan(interest),
      };
    };
    await addFinancials(credit, c.code, { statements: [statement(`${Number(lastYearEnd.slice(0, 4)) - 1}-12-31`, 0.9), statement(lastYearEnd, 1)] });
    const parent = i < 10;
    await saveCreditFile(credit, c.code, {
      zModel: i % 3 === 0 ? 'private' : i % 3 === 1 ? 'nonManufacturing' : 'public',
      externalRatings: rng.chance(0.6) ? [{ agency: rng.pick(AGENCIES), grade: health === 'distress' ? 'CCC' : rng.pick(RATINGS), date: `${lastYearEnd.slice(0, 4)}-0${rng.int(3, 9)}-15` }] : [],
      insurance: rng.chance(0.4) ? { insurer: '中国出口信用保险公司', insuredLimit: yuan(Number(c.creditLimit) * 0.8), currency: 'CNY', validFrom: `${asOf.slice(0, 4)}-01-01`, validTo: `${asOf.slice(0, 4)}-12-31`, notificationDays: 60 } : null,
      qualitative: { yearsInBusiness: rng.int(2, 30), reputation: health === 'distress' ? 'poor' : rng.pick(['good', 'good', 'average']), industryRisk: rng.pick(['low', 'medium', 'medium', 'high']), ownership: rng.pick(['民营', '国有', '外资', '合资']) },
      documents: [{ name: `${lastYearEnd.slice(0, 4)} 年度审计报告`, kind: 'financials', date: `${asOf.slice(0, 4)}-04-15`, reference: `DMS-${c.code}-${lastYearEnd.slice(0, 4)}` }],
      groupLimit: parent ? yuan(Number(c.creditLimit) * 10) : null,
      note: health === 'distress' ? '连续亏损，关注偿债能力' : '',
    });
    // Graded at different past month-ends, so the lower grades (reviewed every 1–3 months) are due again now.
    const assessedOn = endOfMonth(addMonths(asOf, -rng.int(1, 7)));
    await assessCustomer(credit, c.code, { asOf: assessedOn, takeEffect: true });
  }
  // Two reviews already completed this month by credit@.
  for (const c of domestic.slice(0, 2)) await completeReview(credit, c.code, { asOf, decision: 'approve', note: '年度复核：财务稳定，维持额度' });
}
