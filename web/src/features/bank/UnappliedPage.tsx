/**
 * Unapplied cash (未核销收款): each payment, advance receipt or credit note with something not yet applied at the
 * as-of date, oldest (or largest) first, a page at a time, with the totals per currency and age band over all of them
 * and every row as CSV or Excel (GET /reports/unapplied). A collector or sales person sees their own customers'.
 */
import { Card, Col, DatePicker, Form, Input, Row, Segmented, Space, Statistic, Table, Tag, Typography, Button, type TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, apiUrl } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatAmount, formatDate } from '../../shared/format.ts';
import { todayIn } from '../documents/money.ts';

const PAGE = 50;

interface UnappliedRow {
  customer: string; customerName: string; kind: string; document: string; documentDate: string; ageDays: number;
  currency: string; amount: string; unapplied: string; source: string; reference: string | null;
}
interface UnappliedReport {
  asOf: string;
  rows: UnappliedRow[];
  page: { sort: 'age' | 'amount'; limit: number; offset: number; total: number; nextOffset: number | null };
  totals: { currency: string; count: number; unapplied: string; bands: Record<'0-30' | '31-90' | '91+', string> }[];
}

export function UnappliedPage() {
  const { t, i18n } = useTranslation('bank');
  const today = todayIn(useSignedIn().company.timeZone);
  const [params, setParams] = useSearchParams();
  const asOf = /^\d{4}-\d{2}-\d{2}$/.test(params.get('asOf') ?? '') ? params.get('asOf')! : today;
  const sort = params.get('sort') === 'amount' ? 'amount' : 'age';
  const customer = params.get('customer') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === '') next.delete(k); else next.set(k, v);
    if (!('page' in changes)) next.delete('page');
    setParams(next);
  };
  const query = { asOf, sort, ...(customer ? { customer } : {}) };
  const report = useQuery({
    queryKey: ['unapplied', asOf, sort, customer, page],
    queryFn: () => api.get<UnappliedReport>('/reports/unapplied', { ...query, limit: PAGE, offset: (page - 1) * PAGE }),
    placeholderData: keepPreviousData,
  });
  const data = report.data;
  const columns: TableColumnsType<UnappliedRow> = [
    { title: t('unapplied.customer'), key: 'customer', render: (_: unknown, r) => <Space direction="vertical" size={0}><Link to={`/customers/${encodeURIComponent(r.customer)}`}>{r.customer}</Link><Typography.Text type="secondary">{r.customerName}</Typography.Text></Space> },
    { title: t('unapplied.document'), key: 'document', width: 200, render: (_: unknown, r) => <Space direction="vertical" size={0}><span>{r.document}</span><Typography.Text type="secondary">{t(`unapplied.kinds.${r.kind}`, { defaultValue: r.kind })}</Typography.Text></Space> },
    { title: t('unapplied.date'), dataIndex: 'documentDate', width: 120, render: (d: string) => formatDate(d, i18n.language) },
    { title: t('unapplied.age'), dataIndex: 'ageDays', width: 90, align: 'right', render: (d: number) => <Tag color={d > 90 ? 'red' : d > 30 ? 'orange' : 'default'}>{t('unapplied.days', { count: d })}</Tag> },
    { title: t('unapplied.amount'), dataIndex: 'amount', width: 150, align: 'right', render: (v: string, r) => <Amount value={v} currency={r.currency} /> },
    { title: t('unapplied.unapplied'), dataIndex: 'unapplied', width: 150, align: 'right', render: (v: string, r) => <Amount value={v} currency={r.currency} strong /> },
    { title: t('unapplied.source'), dataIndex: 'source', width: 110, render: (s: string) => t(`unapplied.sources.${s}`, { defaultValue: s }) },
    { title: t('unapplied.reference'), dataIndex: 'reference', ellipsis: true },
  ];
  return (
    <>
      <PageTitle title={t('unapplied.title')} extra={
        <Space>
          <Button icon={<DownloadOutlined />} href={apiUrl('/reports/unapplied', { ...query, format: 'csv' })}>CSV</Button>
          <Button icon={<DownloadOutlined />} href={apiUrl('/reports/unapplied', { ...query, format: 'xlsx' })}>Excel</Button>
        </Space>
      } />
      <Typography.Paragraph type="secondary">{t('unapplied.subtitle')}</Typography.Paragraph>
      <Card size="small" style={{ marginBottom: 16 }} role="search" aria-label={t('unapplied.filters')}>
        <Form layout="inline" component="div" colon={false}>
          <Form.Item label={t('unapplied.asOf')} htmlFor="unapplied-as-of">
            <DatePicker id="unapplied-as-of" value={dayjs(asOf)} format="YYYY-MM-DD" allowClear={false} disabledDate={(d) => d.isAfter(dayjs(today), 'day')}
              onChange={(d) => d && set({ asOf: d.format('YYYY-MM-DD') === today ? null : d.format('YYYY-MM-DD') })} style={{ width: 136 }} />
          </Form.Item>
          <Form.Item label={t('unapplied.customer')}>
            <Input.Search aria-label={t('unapplied.customer')} allowClear defaultValue={customer} maxLength={64} style={{ width: 200 }} onSearch={(v) => set({ customer: v.trim() || null })} />
          </Form.Item>
          <Form.Item label={t('unapplied.sort')}>
            <Segmented value={sort} onChange={(v) => set({ sort: v === 'age' ? null : String(v) })}
              options={[{ value: 'age', label: t('unapplied.oldest') }, { value: 'amount', label: t('unapplied.largest') }]} />
          </Form.Item>
        </Form>
      </Card>
      {report.error ? <ErrorAlert error={report.error} onRetry={() => void report.refetch()} /> : null}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }} data-testid="unapplied-totals">
        {(data?.totals ?? []).map((total) => (
          <Col key={total.currency} xs={24} md={12} xl={8}>
            <Card size="small">
              <Statistic title={t('unapplied.total', { currency: total.currency, count: total.count })} value={formatAmount(total.unapplied, total.currency, i18n.language)} />
              <Space wrap size={4} style={{ marginTop: 8 }}>
                {(['0-30', '31-90', '91+'] as const).map((band) => <Tag key={band} color={band === '91+' ? 'red' : band === '31-90' ? 'orange' : 'default'}>{t(`unapplied.bands.${band}`)} {formatAmount(total.bands[band], total.currency, i18n.language)}</Tag>)}
              </Space>
            </Card>
          </Col>
        ))}
      </Row>
      <Table<UnappliedRow> rowKey={(r) => `${r.kind}:${r.document}`} size="small" columns={columns} dataSource={data?.rows ?? []} loading={report.isFetching} scroll={{ x: 1200 }}
        aria-label={t('unapplied.title')} locale={{ emptyText: t('unapplied.empty', { date: formatDate(asOf, i18n.language) }) }}
        pagination={{ current: page, pageSize: PAGE, total: data?.page.total ?? 0, showSizeChanger: false, onChange: (p) => set({ page: p === 1 ? null : String(p) }), showTotal: (n) => t('unapplied.count', { count: n }) }} />
    </>
  );
}
