/**
 * The disputes board (争议发票): a filtered table (active by default: open and investigating, overdue flagged), raise
 * a dispute from a customer's open invoices, move one on with a note, see its history. Collectors and sales people
 * see their own customers' disputes; moving them on needs disputes.manage.
 */
import { useState } from 'react';
import { Button, Card, Checkbox, Input, Segmented, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Amount, CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { formatDate } from '../../shared/format.ts';
import { DisputeDrawer, DisputeStatusTag, DISPUTES_KEY, RaiseDisputeModal, TransitionModal } from './DisputeParts.tsx';
import { DISPUTE_REASONS, DISPUTE_STATUSES, NEXT_STATUSES, OWNER_TEAMS, type Dispute, type DisputePage } from './types.ts';

const STATUS_FILTERS = ['active', 'closed', 'all', ...DISPUTE_STATUSES] as const;

export function DisputesPage() {
  const { t, i18n } = useTranslation('collections');
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const status = (STATUS_FILTERS as readonly string[]).includes(params.get('status') ?? '') ? params.get('status')! : 'active';
  const reason = params.get('reason') ?? '';
  const owner = params.get('owner') ?? '';
  const customer = params.get('customer') ?? '';
  const overdue = params.get('overdue') === 'true';
  const setParam = (name: string, value: string) => setParams((current) => {
    const next = new URLSearchParams(current);
    if (value) next.set(name, value);
    else next.delete(name);
    return next;
  });
  const paging = useCursorPaging(`${status}|${reason}|${owner}|${customer}|${overdue}`);
  const query = useQuery({
    queryKey: [DISPUTES_KEY, 'list', status, reason, owner, customer, overdue, paging.cursor],
    queryFn: () => api.get<DisputePage>('/disputes', {
      status, limit: 50, ...(reason ? { reason } : {}), ...(owner ? { owner } : {}), ...(customer ? { customer } : {}), ...(overdue ? { overdue: 'true' } : {}),
      ...(paging.cursor ? { cursor: paging.cursor } : {}),
    }),
    placeholderData: keepPreviousData,
  });
  const counts = useQuery({
    queryKey: [DISPUTES_KEY, 'counts'],
    queryFn: async () => {
      const [open, investigating] = await Promise.all([api.get<DisputePage>('/disputes', { status: 'open', limit: 1 }), api.get<DisputePage>('/disputes', { status: 'investigating', limit: 1 })]);
      return { open: open.total, investigating: investigating.total };
    },
  });
  const [raising, setRaising] = useState(false);
  const [moving, setMoving] = useState<Dispute | null>(null);
  const [showing, setShowing] = useState<string | null>(null);

  const columns: TableColumnsType<Dispute> = [
    {
      title: t('disputes.columns.customer'), dataIndex: 'customer', width: 200,
      render: (_: unknown, d) => <Space orientation="vertical" size={0}><Link to={`/customers/${encodeURIComponent(d.customer)}`}>{d.customer}</Link><Typography.Text type="secondary">{d.customerName}</Typography.Text></Space>,
    },
    { title: t('disputes.columns.documents'), dataIndex: 'documents', width: 160, render: (docs: string[]) => docs.join(', ') },
    { title: t('disputes.columns.reason'), dataIndex: 'reason', width: 130, render: (r: Dispute['reason']) => t(`reason.${r}`) },
    { title: t('disputes.columns.amount'), dataIndex: 'amount', width: 150, align: 'right', render: (v: string, d) => <Amount value={v} currency={d.currency} /> },
    { title: t('disputes.columns.owner'), key: 'owner', width: 140, render: (_: unknown, d) => `${t(`team.${d.ownerTeam}`)}${d.ownerUser ? ` · ${d.ownerUser}` : ''}` },
    {
      title: t('disputes.columns.due'), dataIndex: 'dueDate', width: 150,
      render: (v: string, d) => <Space size={4}>{formatDate(v, i18n.language)}{d.overdue ? <Tag color="red">{t('disputes.overdue')}</Tag> : null}</Space>,
    },
    { title: t('disputes.columns.status'), dataIndex: 'status', width: 150, render: (s: Dispute['status']) => <DisputeStatusTag status={s} /> },
    {
      title: t('disputes.columns.actions'), key: 'actions', width: 170,
      render: (_: unknown, d) => (
        <Space>
          <Button size="small" type="link" onClick={() => setShowing(d.id)}>{t('disputes.details')}</Button>
          {can('disputes.manage') && NEXT_STATUSES[d.status].length > 0 ? <Button size="small" onClick={() => setMoving(d)}>{t('disputes.move')}</Button> : null}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageTitle title={t('disputes.title')} extra={can('disputes.raise') ? <Button type="primary" icon={<PlusOutlined />} onClick={() => setRaising(true)}>{t('disputes.raise')}</Button> : undefined} />
      <Typography.Paragraph type="secondary">{t('disputes.subtitle')}</Typography.Paragraph>
      {counts.data ? <Typography.Paragraph data-testid="dispute-counts"><Tag color="gold">{t('status.open')} {counts.data.open}</Tag><Tag color="blue">{t('status.investigating')} {counts.data.investigating}</Tag></Typography.Paragraph> : null}
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <Segmented aria-label={t('disputes.filters.status')} value={['active', 'closed', 'all'].includes(status) ? status : 'all'}
            onChange={(v) => setParam('status', v === 'active' ? '' : String(v))}
            options={(['active', 'closed', 'all'] as const).map((s) => ({ value: s, label: t(`disputes.statusFilter.${s}`) }))} />
          <Select aria-label={t('disputes.filters.status')} style={{ width: 190 }} value={(DISPUTE_STATUSES as readonly string[]).includes(status) ? status : ''} onChange={(v) => setParam('status', v)}
            options={[{ value: '', label: `${t('disputes.filters.status')}: ${t('disputes.filters.any')}` }, ...DISPUTE_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]} />
          <Select aria-label={t('disputes.filters.reason')} style={{ width: 170 }} value={reason} onChange={(v) => setParam('reason', v)}
            options={[{ value: '', label: `${t('disputes.filters.reason')}: ${t('disputes.filters.any')}` }, ...DISPUTE_REASONS.map((r) => ({ value: r, label: t(`reason.${r}`) }))]} />
          <Select aria-label={t('disputes.filters.owner')} style={{ width: 150 }} value={owner} onChange={(v) => setParam('owner', v)}
            options={[{ value: '', label: `${t('disputes.filters.owner')}: ${t('disputes.filters.any')}` }, ...OWNER_TEAMS.map((r) => ({ value: r, label: t(`team.${r}`) }))]} />
          <Input.Search aria-label={t('disputes.filters.customer')} placeholder={t('disputes.filters.customer')} allowClear defaultValue={customer} style={{ width: 180 }} maxLength={100}
            onSearch={(v) => setParam('customer', v.trim())} />
          <Checkbox checked={overdue} onChange={(e) => setParam('overdue', e.target.checked ? 'true' : '')}>{t('disputes.filters.overdue')}</Checkbox>
        </Space>
      </Card>
      {query.error ? <ErrorAlert error={query.error} ns="collections" onRetry={() => void query.refetch()} /> : null}
      <Table<Dispute> rowKey="id" size="small" columns={columns} dataSource={query.data?.rows ?? []} loading={query.isFetching} pagination={false} scroll={{ x: 1100 }}
        aria-label={t('disputes.title')} locale={{ emptyText: t('disputes.empty') }} footer={() => t('disputes.total', { count: query.data?.total ?? 0 })} />
      <CursorPager paging={paging} nextCursor={query.data?.nextCursor} loading={query.isFetching} />
      <RaiseDisputeModal open={raising} onClose={() => setRaising(false)} />
      <TransitionModal dispute={moving} onClose={() => setMoving(null)} />
      <DisputeDrawer id={showing} onClose={() => setShowing(null)} />
    </>
  );
}
