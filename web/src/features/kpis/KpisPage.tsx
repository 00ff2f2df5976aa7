/**
 * The KPI dashboard (关键指标): one card per KPI at the as-of date, with a small line of its monthly trend where
 * there is one, and each customer's payment behaviour below. Settings live in the address; values are shown as
 * the API wrote them (exact decimal strings), formatted, never recomputed in the browser.
 */
import { useCallback, useMemo, useState } from 'react';
import { Alert, Button, Card, DatePicker, Form, Select, Table, Tooltip, Typography, type TableColumnsType } from 'antd';
import { DownloadOutlined, InfoCircleOutlined, UndoOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, apiUrl } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { formatAmount, formatDate } from '../../shared/format.ts';
import { todayIn } from '../documents/money.ts';
import { Sparkline } from './Sparkline.tsx';
import {
  KPI_ORDER, reasonKey, type CustomerBehaviour, type CustomerBehaviourRow, type KpiKey, type KpiSet, type KpiTrend, type KpiValue,
} from './types.ts';
import './kpis.css';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PERIODS = [30, 60, 90, 180, 365];
const MONTHS = [6, 12, 24, 36];
const PAGE = 20;
type Sort = 'daysBeyondTerms' | 'daysToPay' | 'paid' | 'customer';

interface CustomerFilters {
  currencies: string[];
}

export function KpisPage() {
  const { t, i18n } = useTranslation('kpis');
  const locale = i18n.language;
  const session = useSignedIn();
  const [params, setParams] = useSearchParams();

  const today = todayIn(session.company.timeZone);
  const asOfParam = params.get('asOf') ?? '';
  const asOfAsked = DATE.test(asOfParam) ? asOfParam : undefined;
  const periodDays = PERIODS.includes(Number(params.get('period'))) ? Number(params.get('period')) : 90;
  const months = MONTHS.includes(Number(params.get('months'))) ? Number(params.get('months')) : 12;
  const currency = (params.get('currency') ?? session.company.currency).toUpperCase();
  const [sort, setSort] = useState<{ sort: Sort; order: 'asc' | 'desc' }>({ sort: 'daysBeyondTerms', order: 'desc' });

  const setParam = (name: string, value: string | undefined, fallback?: string) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value && value !== fallback) next.set(name, value);
      else next.delete(name);
      return next;
    });
  };

  const query = { asOf: asOfAsked, currency, periodDays };
  const set = useQuery({ queryKey: ['kpis', query], queryFn: () => api.get<KpiSet>('/reports/kpis', query), placeholderData: keepPreviousData });
  const trendQuery = { asOf: asOfAsked, currency, months };
  const trend = useQuery({ queryKey: ['kpis-trend', trendQuery], queryFn: () => api.get<KpiTrend>('/reports/kpis/trend', trendQuery), placeholderData: keepPreviousData });
  const paging = useCursorPaging(JSON.stringify([query, sort]));
  const customersQuery = { ...query, ...sort, limit: PAGE, cursor: paging.cursor };
  const customers = useQuery({
    queryKey: ['kpis-customers', customersQuery],
    queryFn: () => api.get<CustomerBehaviour>('/reports/kpis/customers', customersQuery),
    placeholderData: keepPreviousData,
  });
  const facets = useQuery({ queryKey: ['customer-filters'], queryFn: () => api.get<CustomerFilters>('/customer-filters'), staleTime: 60_000 });
  const currencies = useMemo(
    () => [...new Set([session.company.currency, ...(facets.data?.currencies ?? []), currency])].sort(),
    [session.company.currency, facets.data?.currencies, currency],
  );

  const data = set.data;
  const asOf = asOfAsked ?? data?.asOf ?? today;
  const shownCurrency = data?.currency ?? currency;

  /** A KPI value as it reads: "85.4 天", "43.93%", "¥1,234.50", or "—". */
  const valueText = useCallback((v: KpiValue | undefined): string => {
    if (!v || v.value === null) return '—';
    if (v.unit === 'amount') return formatAmount(v.value, shownCurrency, locale);
    const number = new Intl.NumberFormat(locale, { minimumFractionDigits: v.value.split('.')[1]?.length ?? 0 }).format(v.value as Intl.StringNumericLiteral);
    return t(`unit.${v.unit}`, { value: number });
  }, [t, locale, shownCurrency]);

  const trendOf = useMemo(() => {
    const points = trend.data?.points ?? [];
    const dates = points.map((p) => p.asOf);
    return (key: KpiKey) => (trend.data?.keys.includes(key) ? { dates, values: points.map((p) => p.kpis[key]?.value ?? null), unit: points[0]?.kpis[key]?.unit } : null);
  }, [trend.data]);

  const day = dayjs(today);
  const presets = [
    { label: t('toolbar.today'), value: day },
    { label: t('toolbar.endOfLastMonth'), value: day.startOf('month').subtract(1, 'day') },
    { label: t('toolbar.endOfLastQuarter'), value: day.month(Math.floor(day.month() / 3) * 3).startOf('month').subtract(1, 'day') },
    { label: t('toolbar.endOfLastYear'), value: day.startOf('year').subtract(1, 'day') },
  ];
  const scoped = session.user.role === 'collector' || session.user.role === 'sales';
  const changed = [...params.keys()].some((k) => ['asOf', 'period', 'months', 'currency'].includes(k));
  const exportUrl = (format: 'csv' | 'xlsx') => apiUrl('/reports/kpis/export', { asOf: asOfAsked, currency, months, format, lang: locale === 'en' ? 'en' : 'zh-CN' });

  const days = (value: string | null) => (value === null ? '—' : t('unit.days', { value: new Intl.NumberFormat(locale, { minimumFractionDigits: 1 }).format(value as Intl.StringNumericLiteral) }));
  const sortOrder = (key: Sort) => (sort.sort === key ? (sort.order === 'asc' ? 'ascend' as const : 'descend' as const) : null);
  const columns: TableColumnsType<CustomerBehaviourRow> = [
    {
      title: t('customers.customer'), dataIndex: 'customer', key: 'customer', width: 110, sorter: true, sortOrder: sortOrder('customer'),
      render: (code: string) => <Link to={`/customers/${encodeURIComponent(code)}`}>{code}</Link>,
    },
    { title: t('customers.name'), dataIndex: 'name', key: 'name', ellipsis: { showTitle: true } },
    {
      title: t('customers.paid'), dataIndex: 'paid', key: 'paid', align: 'right', width: 160, sorter: true, sortOrder: sortOrder('paid'),
      render: (v: string) => <span className="amount">{formatAmount(v, shownCurrency, locale)}</span>,
    },
    { title: t('customers.allocations'), dataIndex: 'allocations', key: 'allocations', align: 'right', width: 100 },
    { title: t('customers.daysToPay'), dataIndex: 'averageDaysToPay', key: 'daysToPay', align: 'right', width: 160, sorter: true, sortOrder: sortOrder('daysToPay'), render: days },
    {
      title: t('customers.daysBeyondTerms'), dataIndex: 'averageDaysBeyondTerms', key: 'daysBeyondTerms', align: 'right', width: 200, sorter: true,
      sortOrder: sortOrder('daysBeyondTerms'),
      render: (v: string | null) => <Typography.Text type={v !== null && Number(v) > 30 ? 'danger' : undefined}>{days(v)}</Typography.Text>,
    },
  ];

  return (
    <div className="kpis-page">
      <PageTitle
        title={t('title')}
        extra={[
          <Button key="csv" icon={<DownloadOutlined />} href={exportUrl('csv')} download aria-label={`${t('export.label')} (CSV)`}>{t('export.csv')}</Button>,
          <Button key="xlsx" icon={<DownloadOutlined />} href={exportUrl('xlsx')} download aria-label={`${t('export.label')} (Excel)`}>{t('export.xlsx')}</Button>,
        ]}
      />
      <Typography.Paragraph type="secondary" className="kpis-subtitle">
        {t('subtitle', {
          date: formatDate(asOf, locale), currency: shownCurrency,
          from: formatDate(data?.period.from ?? dayjs(asOf).subtract(periodDays - 1, 'day').format('YYYY-MM-DD'), locale), to: formatDate(asOf, locale),
        })}
      </Typography.Paragraph>
      {scoped ? <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('scopeNote', { handle: session.user.handle ?? session.user.email })} /> : null}

      <Card size="small" className="kpis-toolbar" role="search" aria-label={t('toolbar.label')}>
        <Form layout="inline" component="div" colon={false}>
          <Form.Item label={t('toolbar.asOf')} htmlFor="kpis-as-of">
            <DatePicker
              id="kpis-as-of"
              value={dayjs(asOf)}
              format="YYYY-MM-DD"
              allowClear={false}
              presets={presets}
              disabledDate={(d) => d.isAfter(day, 'day')}
              onChange={(d) => d && setParam('asOf', d.format('YYYY-MM-DD'), today)}
              style={{ width: 136 }}
            />
          </Form.Item>
          <Form.Item label={t('toolbar.period')} htmlFor="kpis-period">
            <Select
              id="kpis-period"
              value={periodDays}
              onChange={(v: number) => setParam('period', String(v), '90')}
              options={PERIODS.map((d) => ({ value: d, label: t('toolbar.periodDays', { days: d }) }))}
              style={{ width: 110 }}
            />
          </Form.Item>
          <Form.Item label={t('toolbar.months')} htmlFor="kpis-months">
            <Select
              id="kpis-months"
              value={months}
              onChange={(v: number) => setParam('months', String(v), '12')}
              options={MONTHS.map((m) => ({ value: m, label: t('toolbar.monthsValue', { months: m }) }))}
              style={{ width: 120 }}
            />
          </Form.Item>
          <Form.Item label={t('toolbar.currency')} htmlFor="kpis-currency">
            <Select
              id="kpis-currency"
              value={currency}
              onChange={(v: string) => setParam('currency', v, session.company.currency)}
              options={currencies.map((c) => ({ value: c, label: c }))}
              style={{ width: 90 }}
            />
          </Form.Item>
          {changed ? (
            <Form.Item>
              <Button icon={<UndoOutlined />} onClick={() => setParams(new URLSearchParams())}>{t('toolbar.reset')}</Button>
            </Form.Item>
          ) : null}
        </Form>
      </Card>

      {set.error ? <div style={{ marginBottom: 16 }}><ErrorAlert error={set.error} ns="kpis" onRetry={() => void set.refetch()} /></div> : null}

      <section className="kpi-cards" aria-label={t('cards')}>
        {KPI_ORDER.map((key) => {
          const v = data?.kpis[key];
          const line = trendOf(key);
          const reason = reasonKey(v?.reason);
          return (
            <Card key={key} size="small" loading={!data} role="group" aria-label={t(`kpi.${key}`)} className={`kpi-card kpi-${v?.unit ?? 'days'}`} data-kpi={key}>
              <div className="kpi-card-label">
                <span>{t(`kpi.${key}`)}</span>
                <Tooltip title={t(`hint.${key}`)}><InfoCircleOutlined aria-label={t(`hint.${key}`)} /></Tooltip>
              </div>
              <div className="kpi-card-value"><Typography.Text strong>{valueText(v)}</Typography.Text></div>
              <div className="kpi-card-reason">{v && v.value === null ? (reason ? t(`reason.${reason}`) : v.reason) : null}</div>
              {line && line.values.some((x) => x !== null) ? (
                <Sparkline
                  dates={line.dates}
                  values={line.values}
                  format={(value) => valueText({ value, unit: line.unit ?? 'days' })}
                  label={t('trendLabel', { kpi: t(`kpi.${key}`), count: line.dates.length })}
                  colour={key === 'overdueShare' || key === 'over90Share' ? '#e8590c' : key === 'arBalance' ? '#12b76a' : '#1668dc'}
                />
              ) : null}
            </Card>
          );
        })}
      </section>

      <Card size="small" title={t('customers.title')} className="kpi-customers">
        <Table<CustomerBehaviourRow>
          rowKey="customer"
          size="small"
          columns={columns}
          dataSource={customers.data?.rows ?? []}
          loading={customers.isFetching}
          pagination={false}
          onChange={(_p, _f, sorter) => {
            const s = Array.isArray(sorter) ? sorter[0] : sorter;
            const key = (s?.columnKey as Sort | undefined) ?? 'daysBeyondTerms';
            setSort(s?.order ? { sort: key, order: s.order === 'ascend' ? 'asc' : 'desc' } : { sort: 'daysBeyondTerms', order: 'desc' });
          }}
          aria-label={t('customers.caption', { count: customers.data?.total ?? 0 })}
          locale={{ emptyText: customers.error ? t('common:states.error') : customers.isLoading ? t('common:states.loading') : t('customers.empty') }}
          footer={() => (
            <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
              <Typography.Text type="secondary">{t('customers.total', { count: customers.data?.total ?? 0 })}</Typography.Text>
              <CursorPager paging={paging} nextCursor={customers.data?.nextCursor} loading={customers.isFetching} />
            </div>
          )}
        />
      </Card>
    </div>
  );
}
