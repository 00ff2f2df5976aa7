/** `arflow credit …`: credit files, statements, assessments, the scorecard and reviews (issue 5, part A). */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { can, type Permission } from '../domain/access.ts';
import { invalid, notAllowed } from '../domain/errors.ts';
import type { Context } from '../modules/context.ts';
import {
  assessCustomer, completeReview, creditFileHistory, creditFileOf, importFinancials, reviewQueue, saveCreditFile, scorecardOf, setScorecard,
} from '../modules/credit/index.ts';
import { readRecords } from '../modules/imports/read-file.ts';
import { table, toJson, type Format, type Io } from './output.ts';

type WithContext = <T>(command: Command, fn: (ctx: Context, format: Format) => Promise<T>) => Promise<T>;
type Print = (format: Format, value: unknown, text: () => string) => void;

function need(ctx: Context, permission: Permission, what: string): void {
  if (!ctx.principal || !can(ctx.principal.role, permission)) throw notAllowed('FORBIDDEN', `your role may not ${what}: it needs the permission ${permission}`);
}

function readJson(file: string, option: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw invalid('INVALID_JSON_FILE', `${option}: ${file} is not a readable JSON file (${(error as Error).message})`, [{ field: option, message: 'not JSON' }]);
  }
}

const shown = (m: { value: string | null; reason?: string }) => m.value ?? `n/a (${m.reason})`;

/** `arflow credit` with the credit file's commands; returns it for credit-limit-commands.ts to add to. */
export function registerCreditCommands(program: Command, withContext: WithContext, print: Print, io: Io): Command {
  const credit = program.command('credit').description('credit files, statements, assessments, the scorecard and reviews; limits, credit checks, orders and shipments, holds');

  credit.command('file <customer>')
    .description('the credit file: ratings, insurance, qualitative factors, statements with ratios and Z-scores, payment behaviour, grade; --set FILE saves a new version (credit.manage)')
    .option('--as-of <date>', 'payment behaviour as of this date (default today)')
    .option('--set <file>', 'a JSON file with the whole credit file (see docs/credit.md)')
    .option('--history', 'every saved version, newest first')
    .action((customer: string, options: { asOf?: string; set?: string; history?: boolean }, command: Command) =>
      withContext(command, async (ctx, format) => {
        if (options.set) {
          need(ctx, 'credit.manage', 'change credit files');
          const saved = await saveCreditFile(ctx, customer, readJson(options.set, '--set'));
          print(format, saved, () => `credit file of ${saved.customer} saved as version ${saved.version}`);
          return;
        }
        if (options.history) {
          const versions = await ctx.db.tenant(ctx.tenant.id, (sql) => creditFileHistory(ctx, sql, customer));
          print(format, versions, () => versions.map((v) => `version ${v.version} by ${v.createdBy} at ${v.createdAt}\n${JSON.stringify(v.file)}`).join('\n'));
          return;
        }
        const f = await ctx.db.tenant(ctx.tenant.id, (sql) => creditFileOf(ctx, sql, customer, { asOf: options.asOf }));
        print(format, f, () => {
          const b = f.behaviour;
          return [
            `credit file of ${f.customer.code} ${f.customer.name} (${f.customer.currency}), version ${f.version}; grade ${f.profile?.grade ?? '-'} score ${f.profile?.score ?? '-'} review due ${f.profile?.reviewDue ?? '-'}`,
            `Z form: ${f.file.zModel}; ratings: ${f.file.externalRatings.map((r) => `${r.agency} ${r.grade} (${r.date})`).join(', ') || '-'}; insurance: ${f.file.insurance ? `${f.file.insurance.insurer} ${f.file.insurance.insuredLimit} ${f.file.insurance.currency} ${f.file.insurance.validFrom}–${f.file.insurance.validTo}` : '-'}`,
            '',
            table(['period end', 'current', 'quick', 'cash', 'debt', 'interest cov.', 'working capital', 'Z', "Z'", "Z''"], f.statements.map((s) => [
              s.periodEnd, shown(s.ratios.current), shown(s.ratios.quick), shown(s.ratios.cash), shown(s.ratios.debt), shown(s.ratios.interestCoverage), s.ratios.workingCapital,
              ...s.zScores.map((z) => (z.value === null ? 'n/a' : `${z.value} ${z.zone}`)),
            ])),
            '',
            `payment behaviour as of ${b.asOf} (12 months): paid ${b.paid} in ${b.payments} payments; days beyond terms ${shown(b.averageDaysBeyondTerms)} (last 3 months ${shown(b.recentDaysBeyondTerms)}, 9 before ${shown(b.earlierDaysBeyondTerms)}, trend ${shown(b.trendDays)}); share paid late ${shown(b.lateShare)}; longest delay ${b.longestDelayDays ?? '-'} days; reversed payments ${b.reversedPayments}`,
          ].join('\n');
        });
      }));

  const financials = credit.command('financials').description('financial statements of customers');
  financials.command('show <customer>').description('statements by period with ratios and Z-scores').action((customer: string, _o: unknown, command: Command) =>
    withContext(command, async (ctx, format) => {
      const f = await ctx.db.tenant(ctx.tenant.id, (sql) => creditFileOf(ctx, sql, customer));
      print(format, f.statements, () => table(['period end', 'currency', 'total assets', 'equity', 'sales', 'EBIT', 'source'], f.statements.map((s) => [s.periodEnd, s.currency, s.figures.totalAssets!, s.figures.equity!, s.figures.sales!, s.figures.ebit!, s.source])));
    }));
  financials.command('import <file>')
    .description(`import statements from CSV or XLSX: columns customer, periodEnd, currency (optional), ${'currentAssets, cash, inventory, receivables, totalAssets, currentLiabilities, totalLiabilities, equity, retainedEarnings, sales, ebit, netIncome, interestExpense'}; all or nothing`)
    .action((file: string, _o: unknown, command: Command) =>
      withContext(command, async (ctx, format) => {
        const records = [];
        for await (const r of readRecords(file, { limits: { maxFileBytes: 20 * 1024 ** 2, maxRows: 10_001, maxColumns: 30 } })) records.push(r);
        const result = await importFinancials({ ...ctx, actor: `${ctx.actor}` }, records, `import:${path.basename(file)}`);
        print(format, result, () => `imported ${result.recorded} statements for ${result.customers} customers from ${file}`);
      }));

  credit.command('assess <customer>')
    .description('score the customer at an as-of date with the scorecard: each factor\'s points, score 0–100, grade, policy and recommended limit with its caps (stored)')
    .option('--as-of <date>', 'default today')
    .option('--take-effect', 'make the grade, score and next review date the customer\'s current ones')
    .action((customer: string, options: { asOf?: string; takeEffect?: boolean }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const a = await assessCustomer(ctx, customer, { asOf: options.asOf, takeEffect: Boolean(options.takeEffect) });
        print(format, a, () => [
          `assessment ${a.id} of ${a.customer} as of ${a.asOf}: score ${a.score}, grade ${a.grade}${a.tookEffect ? `, in effect, next review ${a.reviewDue}` : ' (not in effect)'}`,
          table(['factor', 'group', 'value', 'points', 'weight %', 'contribution', 'note'], a.factors.map((f) => [f.key, f.group, f.value ?? '-', String(f.points), String(f.weight), f.contribution, f.note ?? ''])),
          `policy: terms ${a.policy.termsCode}${a.policy.prepayment ? ', prepayment' : ''}${a.policy.guarantee ? ', guarantee' : ''}, review every ${a.policy.reviewMonths} months`,
          `recommended limit ${a.recommendedLimit ?? 'n/a'} ${a.currency} = min of:`,
          table(['cap', 'amount', 'why'], a.caps.map((c) => [c.kind, c.amount ?? 'n/a', c.explanation])),
          'to change the credit limit: arflow customers … or PATCH /api/v1/customers/{code} {creditLimit} (asks for approval)',
        ].join('\n'));
      }));

  credit.command('scorecard')
    .description('the scorecard (factors, bins, weights, grade policies) as JSON; --set FILE replaces it (credit.manage, audited)')
    .option('--set <file>', 'a JSON file with the whole scorecard, as printed')
    .action((options: { set?: string }, command: Command) =>
      withContext(command, async (ctx) => {
        if (options.set) {
          need(ctx, 'credit.manage', 'change the scorecard');
          io.out(toJson(await setScorecard(ctx, readJson(options.set, '--set'))));
          return;
        }
        io.out(toJson(await ctx.db.tenant(ctx.tenant.id, (sql) => scorecardOf(sql, ctx))));
      }));

  credit.command('reviews')
    .description('the review queue: customers whose review is due, or never graded with an open balance')
    .option('--as-of <date>', 'default today')
    .option('--limit <n>', 'at most this many (1–200)', '50')
    .action((options: { asOf?: string; limit: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const q = await ctx.db.tenant(ctx.tenant.id, (sql) => reviewQueue(ctx, sql, { asOf: options.asOf, limit: options.limit }));
        print(format, q, () => [`review queue as of ${q.asOf}: ${q.total} customers`, table(['customer', 'name', 'grade', 'score', 'review due', 'open', 'why'], q.rows.map((r) => [r.customer, r.name, r.grade ?? '-', r.score === null ? '-' : String(r.score), r.reviewDue ?? '-', r.open, r.reason]))].join('\n'));
      }));

  credit.command('review <customer>')
    .description('complete a review: runs an assessment that takes effect and records the decision')
    .requiredOption('--decision <decision>', 'approve | change | hold')
    .option('--grade <grade>', 'proposed grade')
    .option('--limit <amount>', 'proposed credit limit (then request it through the customer, which asks for approval)')
    .option('--note <text>', 'why')
    .option('--as-of <date>', 'default today')
    .option('--financials <file>', 'a JSON file {"statements": [...]} with new statements recorded first')
    .action((customer: string, options: { decision: string; grade?: string; limit?: string; note?: string; asOf?: string; financials?: string }, command: Command) =>
      withContext(command, async (ctx, format) => {
        const statements = options.financials ? (readJson(options.financials, '--financials') as { statements?: unknown }).statements : undefined;
        const r = await completeReview(ctx, customer, { decision: options.decision, proposedGrade: options.grade ?? null, proposedLimit: options.limit ?? null, note: options.note ?? '', asOf: options.asOf, ...(statements ? { statements } : {}) });
        print(format, r, () => `review ${r.id} of ${r.customer} as of ${r.asOf}: ${r.decision}; assessment score ${r.assessment.score} grade ${r.assessment.grade}, recommended limit ${r.assessment.recommendedLimit ?? 'n/a'}, next review ${r.assessment.reviewDue}`);
      }));
  return credit;
}
