/**
 * The collector's worklist (催收工作清单): customers with overdue items ranked by priority, each row with the reasons
 * that make up its score (expanded under it). A collector sees their own customers; a manager may filter by
 * collector. The as-of date and the collector are in the address, so a view can be shared.
 */
import { useState } from 'react';
import { Card, DatePicker, Form, Input, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatDate } from '../../shared/format.ts';
import { todayIn } from '../documents/money.ts';

interface Reason { code: string; points: number; text: string; values: Record<string, string | number> }
interface WorklistRow {
  rank: number; customer: string; customerName: string; collector: string | null; overdue: string; disputed: string; collectable: string;
  oldestDueDate: string; oldestDaysPastDue: number; grade: string | null; brokenPromises: number;
  openPromise: { promisedDate: string; deadline: string; amount: string } | null; followUpOn: string | null; unconverted: string[]; score: number; reasons: Reason[];
}
interface Worklist { asOf: string; currency: string; collector: string | null; total: number; limit: number; offset: number; nextOffset: number | null; rows: WorklistRow[] }

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PAGE = 50;
const SCOPED = ['collector', 'sales'];

export function WorklistPage() {
  const { t, i18n } = useTranslation('worklist');
  const session = useSignedIn();
  const locale = i18n.language;
  const today = todayIn(session.company.timeZone);
  const [params, setParams] = useSearchParams();
  const asOfParam = params.get('asOf') ?? '';
  // Not asked: the server's today (the company's), which the page shows once answered.
  const asOfAsked = DATE.test(asOfParam) ? asOfParam : undefined;
  const collector = params.get('collector') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const scoped = SCOPED.includes(session.user.role);
  const setParam = (name: string, value: string) => setParams((current) => {
    const next = new URLSearchParams(current);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== 'page') next.delete('page');
    return next;
  });
  const query = useQuery({
    queryKey: ['worklist', asOfAsked, collector, page],
    queryFn: () => api.get<Worklist>('/worklist', { ...(asOfAsked ? { asOf: asOfAsked } : {}), limit: PAGE, offset: (page - 1) * PAGE, ...(collector && !scoped ? { collector } : {}) }),
    placeholderData: keepPreviousData,
  });
  const data = query.data;
  const asOf = asOfAsked ?? data?.asOf ?? today;
  const currency = data?.currency ?? session.company.currency;
  const [collapsed, setCollapsed] = useState<readonly string[]>([]);
  const reasonText = (r: Reason) => t(`reason.${r.code}`, {
    ...r.values, defaultValue: r.text,
    // A dunning task says which: a call, a visit, a hand-over to an agency or to legal.
    ...(r.code === 'dunning_task' ? { task: t(`reason.dunningTasks.${String(r.values.channel)}`) } : {}),
  });
  const nextStep = (row: WorklistRow) => (row.openPromise
    ? <Tag color="blue">{t('next.promise', { date: formatDate(row.openPromise.promisedDate, locale) })}</Tag>
    : row.followUpOn
      ? <Tag color={row.followUpOn < asOf ? 'red' : row.followUpOn === asOf ? 'orange' : 'default'}>{t('next.followUp', { date: formatDate(row.followUpOn, locale) })}</Tag>
      : <Typography.Text type="secondary">{t('next.none')}</Typography.Text>);

  const columns: TableColumnsType<WorklistRow> = [
    { title: t('columns.rank'), dataIndex: 'rank', width: 56, align: 'right' },
    {
      title: t('columns.customer'), dataIndex: 'customer', width: 230,
      render: (_: unknown, r) => <Space orientation="vertical" size={0}><Link to={`/customers/${encodeURIComponent(r.customer)}`}>{r.customer}</Link><Typography.Text type="secondary">{r.customerName}</Typography.Text></Space>,
    },
    ...(scoped ? [] : [{ title: t('columns.collector'), dataIndex: 'collector', width: 110, render: (v: string | null) => v ?? '—' }]),
    {
      title: t('columns.overdue'), dataIndex: 'overdue', width: 150, align: 'right',
      render: (v: string, r) => (r.unconverted.length
        ? <Tooltip title={t('unconverted', { currencies: r.unconverted.join(', ') })}><span><Amount value={v} currency={currency} /> *</span></Tooltip>
        : <Amount value={v} currency={currency} />),
    },
    { title: t('columns.disputed'), dataIndex: 'disputed', width: 130, align: 'right', render: (v: string) => (v === '0.00' || /^0(\.0+)?$/.test(v) ? <Typography.Text type="secondary">—</Typography.Text> : <Amount value={v} currency={currency} />) },
    { title: t('columns.oldest'), dataIndex: 'oldestDaysPastDue', width: 110, align: 'right' },
    { title: t('columns.grade'), dataIndex: 'grade', width: 80, align: 'center', render: (g: string | null) => (g ? <Tag color={['D', 'E'].includes(g) ? 'red' : g === 'C' ? 'gold' : 'green'}>{g}</Tag> : '—') },
    { title: t('columns.next'), key: 'next', width: 170, render: (_: unknown, r) => nextStep(r) },
    { title: t('columns.score'), dataIndex: 'score', width: 80, align: 'right', render: (s: number) => <Typography.Text strong>{s}</Typography.Text> },
  ];
  const reasonsOf = (row: WorklistRow) => (
    <div className="worklist-reasons" aria-label={t('reasonsTitle')} style={{ paddingLeft: 48 }}>
      <Typography.Text type="secondary" style={{ marginRight: 8 }}>{t('reasonsTitle')}:</Typography.Text>
      <Space size={[6, 4]} wrap>
        {row.reasons.map((r, n) => (
          <Tag key={`${r.code}-${n}`} color={r.points > 0 ? 'volcano' : r.points < 0 ? 'green' : 'default'}>
            {reasonText(r)} <strong>{r.points > 0 ? `+${r.points}` : r.points}</strong>
          </Tag>
        ))}
      </Space>
    </div>
  );
  const rows = data?.rows ?? [];

  return (
    <>
      <PageTitle title={t('title')} />
      <Typography.Paragraph type="secondary">{t('subtitle', { date: formatDate(asOf, locale), currency })}</Typography.Paragraph>
      <Card size="small" style={{ marginBottom: 12 }} role="search" aria-label={t('filters.label')}>
        <Form layout="inline" component="div" colon={false}>
          <Form.Item label={t('filters.asOf')} htmlFor="worklist-as-of">
            <DatePicker id="worklist-as-of" value={dayjs(asOf)} format="YYYY-MM-DD" allowClear={false} style={{ width: 136 }}
              disabledDate={(d) => d.isAfter(dayjs(today), 'day')}
              onChange={(d) => d && setParam('asOf', d.format('YYYY-MM-DD'))} />
          </Form.Item>
          <Form.Item label={t('filters.collector')} htmlFor="worklist-collector">
            {scoped
              ? <Typography.Text>{t('filters.mine', { handle: session.user.handle ?? '' })}</Typography.Text>
              : <Input.Search id="worklist-collector" placeholder={t('filters.collectorPlaceholder')} allowClear defaultValue={collector} style={{ width: 220 }} maxLength={100}
                onSearch={(v) => setParam('collector', v.trim())} />}
          </Form.Item>
        </Form>
      </Card>
      {query.error ? <ErrorAlert error={query.error} ns="worklist" onRetry={() => void query.refetch()} /> : null}
      <Table<WorklistRow> rowKey="customer" size="small" columns={columns} dataSource={rows} loading={query.isFetching} scroll={{ x: 1000 }}
        aria-label={t('title')} locale={{ emptyText: t('empty') }}
        expandable={{
          expandedRowRender: reasonsOf,
          expandedRowKeys: rows.map((r) => r.customer).filter((c) => !collapsed.includes(c)),
          onExpand: (open, r) => setCollapsed((c) => (open ? c.filter((x) => x !== r.customer) : [...c, r.customer])),
        }}
        pagination={{ current: page, pageSize: PAGE, total: data?.total ?? 0, showSizeChanger: false, onChange: (p) => setParam('page', p === 1 ? '' : String(p)), showTotal: (count) => t('total', { count }) }} />
    </>
  );
}
