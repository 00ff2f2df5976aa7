/**
 * The aging report (账龄分析): what was open at an as-of date, by bucket of days past due (or since the document
 * date), per customer, group, segment, region, salesperson or collector; unapplied credits netted. Settings live in
 * the address (reload, back and shared links keep them), the page and its order too. The server sends one page of
 * rows, sorted (largest outstanding first, or by key or name), and the totals over every row; the files (CSV, XLSX)
 * come from the server with every row. Amounts are compared and summed as BigInt minor units.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert, Button, Card, DatePicker, Form, Input, Radio, Select, Table, Typography, type TableColumnsType,
} from 'antd';
import { DownloadOutlined, FileExcelOutlined, UndoOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, ApiError, apiUrl } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatDate, formatNumber, isNegative } from '../../shared/format.ts';
import { todayIn } from '../documents/money.ts';
import { AgingChart } from './AgingChart.tsx';
import { AgingItemsDrawer, type Drill } from './AgingItemsDrawer.tsx';
import {
  BASES, bucketsProblem, chartRows, DEFAULT_BUCKETS, DEFAULT_PAGE_SIZE, drillBucket, GROUPINGS, normaliseBuckets, overdueAmount, overdueShare,
  amountOf, PAGE_SIZES, SORTS,
  type AgingBucket, type AgingReport, type AgingRow, type AmountColumn, type Basis, type ChartRow, type Grouping, type Sort,
} from './report.ts';
import './aging.css';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The currency choice "every currency, converted to the functional one". */
const CONVERTED = '*';

interface CustomerFilters {
  currencies: string[];
}

export function AgingPage() {
  const { t, i18n } = useTranslation('aging');
  const locale = i18n.language;
  const session = useSignedIn();
  const [params, setParams] = useSearchParams();

  // The company's today in its time zone; without a date in the address the API's own today is asked for (the
  // server's clock is the one that counts) and shown as the report's date.
  const today = todayIn(session.company.timeZone);
  const asOfParam = params.get('asOf') ?? '';
  const asOfAsked = DATE.test(asOfParam) ? asOfParam : undefined;
  const basis: Basis = (BASES as readonly string[]).includes(params.get('basis') ?? '') ? (params.get('basis') as Basis) : 'due';
  const by: Grouping = (GROUPINGS as readonly string[]).includes(params.get('by') ?? '') ? (params.get('by') as Grouping) : 'customer';
  const buckets = params.get('buckets') ?? DEFAULT_BUCKETS;
  // "All currencies converted to the functional one" is the currency choice CONVERTED (convert=true in the address).
  const convert = params.get('convert') === 'true';
  const currency = convert ? session.company.currency : (params.get('currency') ?? session.company.currency).toUpperCase();

  const [bucketsText, setBucketsText] = useState(buckets);
  useEffect(() => setBucketsText(buckets), [buckets]);
  const problem = bucketsProblem(buckets);

  // The page: its order, size and number (from 1); a new setting starts again at the first page.
  const sort: Sort = (SORTS as readonly string[]).includes(params.get('sort') ?? '') ? (params.get('sort') as Sort) : 'outstanding';
  const sizeParam = Number(params.get('size'));
  const pageSize = (PAGE_SIZES as readonly number[]).includes(sizeParam) ? sizeParam : DEFAULT_PAGE_SIZE;
  const pageParam = Number(params.get('page'));
  const pageNumber = Number.isSafeInteger(pageParam) && pageParam >= 1 ? pageParam : 1;

  /** Changes one setting; the default value leaves the address, and so does the page number. */
  const setParam = (name: string, value: string | undefined, fallback?: string) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value && value !== fallback) next.set(name, value);
      else next.delete(name);
      if (name !== 'page') next.delete('page');
      return next;
    });
  };

  // The report's settings (the drill-down and the files take these); the page adds its order, size and start.
  const query = convert ? { asOf: asOfAsked, basis, by, buckets, convert: 'true' } : { asOf: asOfAsked, basis, by, buckets, currency };
  const pageQuery = { ...query, sort, limit: String(pageSize), offset: String((pageNumber - 1) * pageSize) };
  const [drill, setDrill] = useState<Drill | null>(null);
  const report = useQuery({
    queryKey: ['aging', pageQuery],
    queryFn: () => api.get<AgingReport>('/reports/aging', pageQuery),
    placeholderData: keepPreviousData,
    enabled: problem === null,
  });
  // The chart draws the ten largest rows: the first rows of the default page, or else a page of its own.
  const chartFromTable = sort === 'outstanding' && pageNumber === 1 && pageSize >= 10;
  const chartQuery = { ...query, sort: 'outstanding', limit: '10', offset: '0' };
  const largest = useQuery({
    queryKey: ['aging', chartQuery],
    queryFn: () => api.get<AgingReport>('/reports/aging', chartQuery),
    placeholderData: keepPreviousData,
    enabled: problem === null && !chartFromTable,
  });
  const facets = useQuery({ queryKey: ['customer-filters'], queryFn: () => api.get<CustomerFilters>('/customer-filters'), staleTime: 60_000 });
  const currencies = useMemo(
    () => [...new Set([session.company.currency, ...(facets.data?.currencies ?? []), currency])].sort(),
    [session.company.currency, facets.data?.currencies, currency],
  );

  const data = report.data;
  const asOf = asOfAsked ?? data?.asOf ?? today;
  const shownCurrency = data?.currency ?? currency;
  const bucketsError = report.error instanceof ApiError && report.error.code === 'INVALID_BUCKETS' ? report.error : null;
  const bucketsHelp = problem ? t(`bucketsProblem.${problem}`) : bucketsError ? t('errors.INVALID_BUCKETS') : null;

  const applyBuckets = () => {
    const text = normaliseBuckets(bucketsText);
    if (bucketsProblem(text) !== null) {
      setParam('buckets', bucketsText.trim() || ' ');
      return;
    }
    setParam('buckets', text, DEFAULT_BUCKETS);
  };

  const bucketLabel = useCallback((bucket: AgingBucket) => {
    if (bucket.key === 'current') return t('bucket.current');
    if (bucket.toDays === null) return t('bucket.over', { days: (bucket.fromDays ?? 1) - 1 });
    return t('bucket.range', { from: bucket.fromDays, to: bucket.toDays });
  }, [t]);

  /** How a row's key reads: a segment in words, an empty grouping as "not assigned". */
  const keyLabel = useCallback((key: string) => {
    if (key === '') return t('table.unassigned');
    if (by === 'segment') return t(`customers:segment.${key}`, { defaultValue: key });
    return key;
  }, [t, by]);

  const rowLabel = useCallback((row: ChartRow) => {
    if (row.key === null) return t('chart.others', { count: row.members });
    return by === 'customer' || by === 'group' ? row.name || row.key : keyLabel(row.key);
  }, [t, by, keyLabel]);

  const chartData = chartFromTable ? data : largest.data;
  const chart = useMemo(() => (chartData ? chartRows(chartData, 10) : []), [chartData]);

  const money = (value: string, strong?: boolean) => (
    <Typography.Text className="amount" strong={strong} type={isNegative(value) ? 'danger' : /^0(\.0+)?$/.test(value) ? 'secondary' : undefined}>
      {formatNumber(value, shownCurrency, locale)}
    </Typography.Text>
  );

  const amountColumns: { column: AmountColumn; title: string; strong?: boolean }[] = [
    { column: 'current', title: t('bucket.current') },
    ...(data?.buckets ?? []).filter((b) => b.key !== 'current').map((b) => ({ column: `bucket:${b.key}` as AmountColumn, title: bucketLabel(b) })),
    { column: 'outstanding', title: t('columns.outstanding'), strong: true },
    { column: 'disputed', title: t('columns.disputed') },
    { column: 'unapplied', title: t('columns.unapplied') },
    { column: 'net', title: t('columns.net') },
  ];
  const byCustomer = by === 'customer' || by === 'group';

  const columns: TableColumnsType<AgingRow> = [
    {
      title: byCustomer ? t('columns.key') : t(`grouping.${by}`), dataIndex: 'key', key: 'key', fixed: 'left', width: byCustomer ? 84 : 160,
      sorter: true, sortDirections: ['ascend'], sortOrder: sort === 'key' ? 'ascend' : null,
      render: (key: string) => (byCustomer
        ? <Link to={`/customers/${encodeURIComponent(key)}`}>{key}</Link>
        : <span className={key === '' ? 'muted' : undefined}>{keyLabel(key)}</span>),
    },
    ...(byCustomer ? [{
      title: t('columns.name'), dataIndex: 'name', key: 'name', fixed: 'left' as const, width: 210, ellipsis: { showTitle: true },
      sorter: true, sortDirections: ['ascend' as const], sortOrder: sort === 'name' ? 'ascend' as const : null,
    }] : []),
    ...amountColumns.map(({ column, title, strong }) => ({
      title, key: column, align: 'right' as const, width: 116,
      // The totals a reader looks for stay in view while the buckets scroll.
      fixed: column === 'outstanding' || column === 'disputed' || column === 'unapplied' || column === 'net' ? 'right' as const : undefined,
      className: column === 'outstanding' ? 'col-outstanding' : undefined,
      // The server sorts (the page is a slice of its order): by outstanding, largest first.
      ...(column === 'outstanding' ? { sorter: true, sortDirections: ['descend' as const], sortOrder: sort === 'outstanding' ? 'descend' as const : null } : {}),
      render: (_: unknown, row: AgingRow) => {
        const bucket = drillBucket(column);
        const value = amountOf(row, column);
        // A figure opens the items behind it (net has none of its own; nothing behind a zero).
        if (bucket === null || /^0(\.0+)?$/.test(value)) return money(value, strong);
        const open = { key: row.key, label: byCustomer ? `${row.key} ${row.name}` : keyLabel(row.key), bucket, figure: title };
        return (
          <a
            className="aging-drill"
            role="button"
            tabIndex={0}
            aria-label={t('drill.title', { row: open.label, figure: title })}
            onClick={() => setDrill(open)}
            onKeyDown={(e) => { if (e.key === 'Enter') setDrill(open); }}
          >
            {money(value, strong)}
          </a>
        );
      },
    })),
  ];
  const tableWidth = (byCustomer ? 84 + 210 : 160) + amountColumns.length * 116;

  const summary = () => {
    if (!data || data.rows.length === 0) return null;
    return (
      <Table.Summary fixed="top">
        <Table.Summary.Row className="aging-totals">
          <Table.Summary.Cell index={0} colSpan={byCustomer ? 2 : 1}>
            <Typography.Text strong>{t('columns.total')}</Typography.Text>
          </Table.Summary.Cell>
          {amountColumns.map(({ column }, n) => (
            <Table.Summary.Cell key={column} index={n + (byCustomer ? 2 : 1)} align="right" className={`total-${column.replace(':', '-')}`}>
              {money(amountOf(data.totals, column), true)}
            </Table.Summary.Cell>
          ))}
        </Table.Summary.Row>
      </Table.Summary>
    );
  };

  /** Downloads the server's file of every row (CSV or XLSX), the page's settings without its paging. */
  const download = (format: 'csv' | 'xlsx') => {
    const link = document.createElement('a');
    link.href = apiUrl('/reports/aging', { ...query, format });
    link.download = '';
    document.body.appendChild(link);
    link.click();
    link.remove();
  };

  const day = dayjs(today);
  const presets = [
    { label: t('toolbar.today'), value: day },
    { label: t('toolbar.endOfLastMonth'), value: day.startOf('month').subtract(1, 'day') },
    { label: t('toolbar.endOfLastQuarter'), value: day.month(Math.floor(day.month() / 3) * 3).startOf('month').subtract(1, 'day') },
    { label: t('toolbar.endOfLastYear'), value: day.startOf('year').subtract(1, 'day') },
  ];
  const scoped = session.user.role === 'collector' || session.user.role === 'sales';
  const changed = [...params.keys()].some((k) => ['asOf', 'basis', 'by', 'buckets', 'currency', 'convert', 'sort', 'size', 'page'].includes(k));

  return (
    <div className="aging-page">
      <PageTitle
        title={t('title')}
        extra={(
          <>
            <Button icon={<DownloadOutlined />} onClick={() => download('csv')} disabled={!data || report.isFetching}>{t('export')}</Button>
            <Button icon={<FileExcelOutlined />} onClick={() => download('xlsx')} disabled={!data || report.isFetching}>{t('exportXlsx')}</Button>
          </>
        )}
      />
      <Typography.Paragraph type="secondary" className="aging-subtitle">
        {t('subtitle', { date: formatDate(asOf, locale), currency: shownCurrency, basis: t(`basis.${basis}`) })}
        {data?.converted ? (
          <span className="aging-rates">
            {' · '}
            {data.rates && data.rates.length > 0
              ? t('rates', { date: formatDate(data.asOf, locale), rates: data.rates.map((r) => `${r.currency} ${r.rate} (${formatDate(r.date, locale)})`).join(', ') })
              : t('noRates', { currency: data.currency })}
          </span>
        ) : null}
        {data && data.rows.length > 0 ? <span className="aging-hint">{' · '}{t('drill.hint')}</span> : null}
      </Typography.Paragraph>
      {scoped ? <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('scopeNote', { handle: session.user.handle ?? session.user.email })} /> : null}

      <Card size="small" className="aging-toolbar" role="search" aria-label={t('toolbar.label')}>
        <Form layout="inline" component="div" colon={false}>
          <Form.Item label={t('toolbar.asOf')} htmlFor="aging-as-of">
            <DatePicker
              id="aging-as-of"
              value={dayjs(asOf)}
              format="YYYY-MM-DD"
              allowClear={false}
              presets={presets}
              disabledDate={(d) => d.isAfter(day, 'day')}
              onChange={(d) => d && setParam('asOf', d.format('YYYY-MM-DD'), today)}
              style={{ width: 136 }}
            />
          </Form.Item>
          <Form.Item label={t('toolbar.basis')}>
            <Radio.Group
              aria-label={t('toolbar.basis')}
              optionType="button"
              value={basis}
              onChange={(e) => setParam('basis', e.target.value as string, 'due')}
              options={[{ value: 'due', label: t('toolbar.byDue') }, { value: 'document', label: t('toolbar.byDocument') }]}
            />
          </Form.Item>
          <Form.Item label={t('toolbar.by')} htmlFor="aging-by">
            <Select
              id="aging-by"
              value={by}
              onChange={(v: Grouping) => setParam('by', v, 'customer')}
              options={GROUPINGS.map((g) => ({ value: g, label: t(`grouping.${g}`) }))}
              style={{ width: 130 }}
              popupMatchSelectWidth={false}
            />
          </Form.Item>
          <Form.Item
            label={t('toolbar.buckets')}
            htmlFor="aging-buckets"
            validateStatus={bucketsHelp ? 'error' : undefined}
            help={bucketsHelp}
            tooltip={t('toolbar.bucketsHint')}
          >
            <Input
              id="aging-buckets"
              value={bucketsText}
              onChange={(e) => setBucketsText(e.target.value)}
              onPressEnter={applyBuckets}
              onBlur={applyBuckets}
              inputMode="numeric"
              style={{ width: 144 }}
            />
          </Form.Item>
          <Form.Item label={t('toolbar.currency')} htmlFor="aging-currency">
            <Select
              id="aging-currency"
              value={convert ? CONVERTED : currency}
              onChange={(v: string) => setParams((current) => {
                const next = new URLSearchParams(current);
                next.delete('currency');
                next.delete('convert');
                next.delete('page');
                if (v === CONVERTED) next.set('convert', 'true');
                else if (v !== session.company.currency) next.set('currency', v);
                return next;
              })}
              options={[
                ...currencies.map((c) => ({ value: c, label: c })),
                { value: CONVERTED, label: t('converted', { currency: session.company.currency }) },
              ]}
              style={{ width: convert ? 200 : 90 }}
              popupMatchSelectWidth={false}
            />
          </Form.Item>
          {changed ? (
            <Form.Item>
              <Button icon={<UndoOutlined />} onClick={() => setParams(new URLSearchParams())}>{t('toolbar.reset')}</Button>
            </Form.Item>
          ) : null}
        </Form>
      </Card>

      {report.error && !bucketsError ? (
        <div style={{ marginBottom: 16 }}><ErrorAlert error={report.error} ns="aging" onRetry={() => void report.refetch()} /></div>
      ) : null}

      <section className="aging-cards" aria-label={t('summary.label')}>
        <SummaryCard label={t('summary.outstanding')} loading={!data}>
          {data ? <Amount value={data.totals.outstanding} currency={data.currency} strong /> : null}
        </SummaryCard>
        <SummaryCard label={basis === 'due' ? t('summary.overdue') : t('summary.overdueOnDocument')} loading={!data} tone="warning">
          {data ? <Amount value={overdueAmount(data.totals, data.currency)} currency={data.currency} strong /> : null}
        </SummaryCard>
        <SummaryCard label={basis === 'due' ? t('summary.share') : t('summary.shareOnDocument')} loading={!data} note={t('summary.shareOfOutstanding')}>
          {data ? <Typography.Text className="amount" strong>{formatShare(overdueShare(data.totals, data.currency), locale)}</Typography.Text> : null}
        </SummaryCard>
        <SummaryCard label={t('summary.unapplied')} loading={!data}>
          {data ? <Amount value={data.totals.unapplied} currency={data.currency} strong /> : null}
        </SummaryCard>
        <SummaryCard label={t('summary.net')} loading={!data} tone="primary">
          {data ? <Amount value={data.totals.net} currency={data.currency} strong /> : null}
        </SummaryCard>
      </section>

      <Card size="small" className="aging-chart" title={chart.some((r) => r.key === null) ? t('chart.title') : t('chart.titleAll', { by: t(`grouping.${by}`) })}>
        {data && chart.length > 0 ? (
          <AgingChart rows={chart} buckets={data.buckets} currency={data.currency} bucketLabel={bucketLabel} rowLabel={rowLabel} />
        ) : (
          <div className="aging-chart-empty">{report.isLoading ? t('common:states.loading') : t('chart.empty')}</div>
        )}
      </Card>

      <Table<AgingRow>
        rowKey="key"
        className="aging-table"
        size="small"
        bordered
        columns={columns}
        dataSource={data?.rows ?? []}
        loading={report.isFetching}
        pagination={{
          current: pageNumber, pageSize, total: data?.page.total ?? 0, showSizeChanger: true, pageSizeOptions: [...PAGE_SIZES],
          showTotal: (count, [from, to]) => t('summary.pageRows', { from, to, count }),
        }}
        onChange={(pagination, _filters, sorter, { action }) => {
          setParams((current) => {
            const next = new URLSearchParams(current);
            const set = (name: string, value: string | null) => (value === null ? next.delete(name) : next.set(name, value));
            if (action === 'sort') {
              // One sort at a time; clicking the sorted column again goes back to the default order.
              const chosen = Array.isArray(sorter) ? sorter[0] : sorter;
              const key = chosen?.order ? String(chosen.columnKey) : 'outstanding';
              set('sort', key === 'key' || key === 'name' ? key : null);
              set('page', null);
            } else {
              const size = pagination.pageSize ?? pageSize;
              set('size', size === DEFAULT_PAGE_SIZE ? null : String(size));
              set('page', size !== pageSize || (pagination.current ?? 1) === 1 ? null : String(pagination.current));
            }
            return next;
          });
        }}
        scroll={{ x: tableWidth }}
        sticky
        summary={summary}
        aria-label={t('table.caption', { by: t(`grouping.${by}`), count: data?.page.total ?? 0 })}
        locale={{ emptyText: report.error ? t('common:states.error') : report.isLoading ? t('common:states.loading') : t('table.empty') }}
      />
      <AgingItemsDrawer
        drill={drill}
        query={query}
        onClose={() => setDrill(null)}
        bucketLabel={(key) => {
          const bucket = data?.buckets.find((b) => b.key === key);
          return bucket ? bucketLabel(bucket) : key;
        }}
      />
    </div>
  );
}

function SummaryCard({ label, note, loading, tone, children }: {
  label: string; note?: string; loading: boolean; tone?: 'warning' | 'primary'; children: React.ReactNode;
}) {
  return (
    <Card size="small" loading={loading} role="group" aria-label={label} className={`aging-card${tone ? ` aging-card-${tone}` : ''}`}>
      <div className="aging-card-label">{label}</div>
      <div className="aging-card-value">{children}</div>
      {note ? <div className="aging-card-note">{note}</div> : null}
    </Card>
  );
}

/** "0.1234" → "12.3%" / "12.3%"; no outstanding → "—". */
function formatShare(share: string | null, locale: string): string {
  if (share === null) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(share as Intl.StringNumericLiteral);
}
