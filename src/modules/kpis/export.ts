/**
 * The KPI dashboard as a file: XLSX with three sheets (the KPI set, the monthly trend, customers' payment
 * behaviour), or CSV with the same three tables one after another. Headings in Chinese or English.
 */
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { Sql } from '../../db/database.ts';
import { csvCell } from '../../domain/csv.ts';
import { MAX_TREND_MONTHS, type KpiKey, type KpiValue } from '../../domain/kpis.ts';
import type { Context } from '../context.ts';
import { localDateText, parseInput } from '../validate.ts';
import { behaviourPage, kpiSet, kpiTrend, resolve } from './index.ts';
import { KPI_LABELS } from './labels.ts';

/** Most customers an export lists (largest days beyond terms first); the sheet says when there were more. */
export const EXPORT_MAX_CUSTOMERS = 10_000;

export const kpiExportQuerySchema = z.object({
  asOf: localDateText.optional(),
  currency: z.string().trim().length(3).optional(),
  months: z.coerce.number().int().min(1).max(MAX_TREND_MONTHS).default(12),
  format: z.enum(['xlsx', 'csv']).default('xlsx'),
  lang: z.enum(['zh-CN', 'en']).optional(),
});
export type KpiExportQuery = z.input<typeof kpiExportQuerySchema>;

const WORDS = {
  'zh-CN': {
    kpis: '关键指标', trend: '月度趋势', customers: '客户付款表现', kpi: '指标', value: '数值', unit: '单位', note: '说明', asOf: '截止日期',
    source: '来源', customer: '客户编码', name: '客户名称', paid: '已付金额', allocations: '核销笔数', daysToPay: '平均付款天数',
    beyond: '平均超期天数', more: '另有 {n} 位客户未列出', units: { days: '天', percent: '%', times: '次/年', amount: '' }, snapshot: '快照', computed: '实时计算',
    title: '截止 {asOf}，{currency}，期间 {from} 至 {to}',
  },
  en: {
    kpis: 'KPIs', trend: 'Monthly trend', customers: 'Payment behaviour', kpi: 'KPI', value: 'Value', unit: 'Unit', note: 'Note', asOf: 'As of',
    source: 'From', customer: 'Customer', name: 'Name', paid: 'Paid', allocations: 'Allocations', daysToPay: 'Average days to pay',
    beyond: 'Average days beyond terms', more: '{n} more customers not listed', units: { days: 'days', percent: '%', times: 'times a year', amount: '' }, snapshot: 'snapshot', computed: 'computed',
    title: 'As of {asOf}, {currency}, period {from} to {to}',
  },
} as const;

export interface KpiFile {
  fileName: string;
  contentType: string;
  body: Buffer | string;
}

/** The KPI set, trend and payment behaviour at an as-of date, as an XLSX workbook or a CSV file. */
export async function exportKpis(ctx: Context, sql: Sql, raw: KpiExportQuery): Promise<KpiFile> {
  const query = parseInput(kpiExportQuerySchema, raw, 'kpi export');
  const lang = query.lang ?? ctx.tenant.locale;
  const w = WORDS[lang];
  const r = resolve(ctx, query);
  const set = await kpiSet(ctx, sql, { asOf: r.asOf, currency: r.currency });
  const trend = await kpiTrend(ctx, sql, { asOf: r.asOf, currency: r.currency, months: query.months });
  const behaviour = await behaviourPage(ctx, sql, r, 'daysBeyondTerms', 'desc', EXPORT_MAX_CUSTOMERS, 0);
  const label = (key: string) => KPI_LABELS[key as KpiKey][lang === 'en' ? 'en' : 'zh'];
  const unit = (v: KpiValue) => (v.unit === 'amount' ? set.currency : w.units[v.unit]);
  const title = w.title.replace('{asOf}', set.asOf).replace('{currency}', set.currency).replace('{from}', set.period.from).replace('{to}', set.period.to);

  const kpiRows = Object.entries(set.kpis).map(([key, v]) => [label(key), v.value, unit(v), v.reason ?? '']);
  const trendHeader = [w.asOf, ...trend.keys.map(label), w.source];
  const trendRows = trend.points.map((p) => [p.asOf, ...trend.keys.map((k) => p.kpis[k as keyof typeof p.kpis].value), p.source === 'snapshot' ? w.snapshot : w.computed]);
  const customerHeader = [w.customer, w.name, w.paid, w.allocations, w.daysToPay, w.beyond];
  const customerRows = behaviour.rows.map((c) => [c.customer, c.name, c.paid, c.allocations, c.averageDaysToPay, c.averageDaysBeyondTerms]);
  const more = behaviour.total > behaviour.rows.length ? w.more.replace('{n}', String(behaviour.total - behaviour.rows.length)) : null;
  const base = `kpis-${set.asOf}-${set.currency}`;

  if (query.format === 'csv') {
    const line = (cells: readonly unknown[]) => cells.map(csvCell).join(',');
    const lines = [
      line([title]), line([w.kpi, w.value, w.unit, w.note]), ...kpiRows.map(line), '',
      line([w.trend]), line(trendHeader), ...trendRows.map(line), '',
      line([w.customers]), line(customerHeader), ...customerRows.map(line), ...(more ? [line([more])] : []),
    ];
    // A byte-order mark so that Excel opens the Chinese text as UTF-8.
    return { fileName: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: `\uFEFF${lines.join('\r\n')}\r\n` };
  }

  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'arflow';
  // Decimal strings become spreadsheet numbers (what a finance user sums and charts); the file's cells are doubles.
  const cell = (v: unknown) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v ?? '');
  const sheet = (name: string, header: readonly string[], rows: readonly (readonly unknown[])[], widths: number[], heading?: string) => {
    const ws = workbook.addWorksheet(name);
    if (heading) ws.addRow([heading]).font = { bold: true };
    ws.addRow([...header]).font = { bold: true };
    for (const row of rows) ws.addRow(row.map(cell));
    widths.forEach((width, i) => { ws.getColumn(i + 1).width = width; });
    ws.views = [{ state: 'frozen', ySplit: heading ? 2 : 1 }];
    return ws;
  };
  sheet(w.kpis, [w.kpi, w.value, w.unit, w.note], kpiRows, [30, 16, 10, 60], title);
  sheet(w.trend, trendHeader, trendRows, [12, ...trend.keys.map(() => 16), 12]);
  const customers = sheet(w.customers, customerHeader, customerRows, [14, 32, 16, 12, 18, 20]);
  if (more) customers.addRow([more]).font = { italic: true };
  return {
    fileName: `${base}.xlsx`,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    body: Buffer.from(await workbook.xlsx.writeBuffer()),
  };
}
