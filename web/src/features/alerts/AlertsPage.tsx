/**
 * The alerts inbox (预警): filters in the address, severity tags, each alert worded from its rule and figures in the
 * user's language, a link to the customer, and acknowledge / resolve with a note. A collector sees their customers'
 * alerts and acknowledges their own; resolving needs alerts.manage.
 */
import { useState } from 'react';
import { App as AntApp, Button, Card, Checkbox, Input, Modal, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { CheckOutlined, SyncOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { formatAmount } from '../../shared/format.ts';
import { ALERTS_KEY } from './api.ts';
import { RULES, type AlertPage, type AlertRow, type Severity } from './types.ts';

const SEVERITY_COLOUR: Record<Severity, string> = { critical: 'red', warning: 'orange', info: 'blue' };
const STATUSES = ['active', 'open', 'acknowledged', 'resolved', 'all'] as const;
/** Figures that are money (the API writes them as decimal text in the alert's currency). */
const AMOUNT_FIGURES = new Set(['exposure', 'creditLimit', 'overdue', 'overdueBeyondDays', 'threshold', 'outstanding', 'totalOutstanding', 'open']);

/** The figures for the message: amounts with the locale's grouping, the rest as they are. */
function shownFigures(a: AlertRow, locale: string): Record<string, string | number | null> {
  return Object.fromEntries(Object.entries(a.figures).map(([k, v]) => [k, AMOUNT_FIGURES.has(k) && typeof v === 'string' ? formatAmount(v, a.currency, locale) : v]));
}

export function AlertsPage() {
  const { t, i18n } = useTranslation('alerts');
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const status = (STATUSES as readonly string[]).includes(params.get('status') ?? '') ? params.get('status')! : 'active';
  const severity = params.get('severity') ?? '';
  const rule = params.get('rule') ?? '';
  const customer = params.get('customer') ?? '';
  const mine = params.get('owner') === 'me';
  const setParam = (name: string, value: string) => setParams((current) => {
    const next = new URLSearchParams(current);
    if (value) next.set(name, value);
    else next.delete(name);
    return next;
  });
  const paging = useCursorPaging(`${status}|${severity}|${rule}|${customer}|${mine}`);
  const query = useQuery({
    queryKey: [ALERTS_KEY, 'list', status, severity, rule, customer, mine, paging.cursor],
    queryFn: () => api.get<AlertPage>('/alerts', {
      status, limit: 50, ...(severity ? { severity } : {}), ...(rule ? { rule } : {}), ...(customer ? { customer } : {}), ...(mine ? { owner: 'me' } : {}),
      ...(paging.cursor ? { cursor: paging.cursor } : {}),
    }),
    placeholderData: keepPreviousData,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: [ALERTS_KEY] });
  const [resolving, setResolving] = useState<AlertRow | null>(null);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState(false);
  const acknowledge = useMutation({
    mutationFn: (a: AlertRow) => api.post<AlertRow>(`/alerts/${a.id}/acknowledge`, {}, newIdempotencyKey()),
    onSuccess: () => { void message.success(t('acknowledged')); void refresh(); },
    onError: (e) => void message.error((e as Error).message),
  });
  const resolve = useMutation({
    mutationFn: (input: { alert: AlertRow; note: string }) => api.post<AlertRow>(`/alerts/${input.alert.id}/resolve`, { note: input.note }, newIdempotencyKey()),
    onSuccess: () => { void message.success(t('resolved')); setResolving(null); setNote(''); void refresh(); },
    onError: (e) => void message.error((e as Error).message),
  });
  const evaluate = useMutation({
    mutationFn: () => api.post<{ customers: number; opened: number; resolved: number }>('/alerts/evaluate', {}, newIdempotencyKey()),
    onSuccess: (r) => { void message.success(t('evaluated', r)); void refresh(); },
    onError: (e) => void message.error((e as Error).message),
  });
  const handle = useSignedIn().user.handle;

  const columns: TableColumnsType<AlertRow> = [
    { title: t('columns.severity'), dataIndex: 'severity', width: 90, render: (s: Severity) => <Tag color={SEVERITY_COLOUR[s]}>{t(`severity.${s}`)}</Tag> },
    {
      title: t('columns.customer'), dataIndex: 'customer', width: 200,
      render: (_: unknown, a) => <Space direction="vertical" size={0}><Link to={`/customers/${encodeURIComponent(a.customer)}`}>{a.customer}</Link><Typography.Text type="secondary">{a.customerName}{a.subjectType === 'group' ? ` (${t('group')})` : ''}</Typography.Text></Space>,
    },
    { title: t('columns.rule'), dataIndex: 'rule', width: 150, render: (r: AlertRow['rule']) => t(`rule.${r}`) },
    {
      title: t('columns.what'), key: 'what',
      render: (_: unknown, a) => (
        <Space direction="vertical" size={0}>
          <span data-testid="alert-message">{t(`message.${a.rule}`, { ...shownFigures(a, i18n.language), interpolation: { escapeValue: false } })}</span>
          {a.status === 'acknowledged' && a.acknowledgedBy ? <Typography.Text type="secondary">{t('ackBy', { by: a.acknowledgedBy })}</Typography.Text> : null}
          {a.status === 'resolved' ? <Typography.Text type="secondary">{t('resolvedBy', { by: a.resolvedBy, note: a.resolutionNote ?? '' })}</Typography.Text> : null}
        </Space>
      ),
    },
    { title: t('columns.owner'), dataIndex: 'owner', width: 100 },
    { title: t('columns.since'), dataIndex: 'firstSeenOn', width: 110 },
    { title: t('columns.status'), dataIndex: 'status', width: 100, render: (s: AlertRow['status']) => t(`status.${s}`) },
    {
      title: t('columns.actions'), key: 'actions', width: 190,
      render: (_: unknown, a) => a.status === 'resolved' ? null : (
        <Space>
          {a.status === 'open' && (can('alerts.manage') || (a.owner !== null && a.owner === handle))
            ? <Button size="small" icon={<CheckOutlined />} loading={acknowledge.isPending && acknowledge.variables?.id === a.id} onClick={() => acknowledge.mutate(a)}>{t('acknowledge')}</Button> : null}
          {can('alerts.manage') ? <Button size="small" onClick={() => { setResolving(a); setNote(''); setNoteError(false); }}>{t('resolve')}</Button> : null}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageTitle title={t('title')} extra={can('alerts.manage') ? <Button icon={<SyncOutlined />} loading={evaluate.isPending} onClick={() => evaluate.mutate()}>{t('evaluate')}</Button> : undefined} />
      <Typography.Paragraph type="secondary">{t('subtitle')}</Typography.Paragraph>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <Select aria-label={t('filters.status')} style={{ width: 170 }} value={status} onChange={(v) => setParam('status', v === 'active' ? '' : v)}
            options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
          <Select aria-label={t('filters.severity')} style={{ width: 130 }} value={severity} onChange={(v) => setParam('severity', v)}
            options={[{ value: '', label: `${t('filters.severity')}: ${t('filters.any')}` }, ...(['critical', 'warning', 'info'] as const).map((s) => ({ value: s, label: t(`severity.${s}`) }))]} />
          <Select aria-label={t('filters.rule')} style={{ width: 190 }} value={rule} onChange={(v) => setParam('rule', v)}
            options={[{ value: '', label: `${t('filters.rule')}: ${t('filters.any')}` }, ...RULES.map((r) => ({ value: r, label: t(`rule.${r}`) }))]} />
          <Input.Search aria-label={t('filters.customer')} placeholder={t('filters.customer')} allowClear defaultValue={customer} style={{ width: 180 }} maxLength={100}
            onSearch={(v) => setParam('customer', v.trim())} />
          <Checkbox checked={mine} onChange={(e) => setParam('owner', e.target.checked ? 'me' : '')}>{t('filters.mine')}</Checkbox>
        </Space>
      </Card>
      {query.error ? <ErrorAlert error={query.error} onRetry={() => void query.refetch()} /> : null}
      <Table<AlertRow> rowKey="id" size="small" columns={columns} dataSource={query.data?.rows ?? []} loading={query.isFetching} pagination={false}
        locale={{ emptyText: t('empty') }} footer={() => t('total', { count: query.data?.total ?? 0 })} />
      <CursorPager paging={paging} nextCursor={query.data?.nextCursor} loading={query.isFetching} />
      <Modal open={resolving !== null} title={t('resolveTitle')} onCancel={() => setResolving(null)} okText={t('resolve')} confirmLoading={resolve.isPending}
        onOk={() => {
          if (note.trim().length < 3) { setNoteError(true); return; }
          resolve.mutate({ alert: resolving!, note: note.trim() });
        }}>
        {resolving ? <Typography.Paragraph>{resolving.customer} · {t(`rule.${resolving.rule}`)}</Typography.Paragraph> : null}
        <Input.TextArea aria-label={t('resolveNote')} placeholder={t('resolveNote')} value={note} maxLength={1000} rows={3} status={noteError ? 'error' : ''}
          onChange={(e) => { setNote(e.target.value); setNoteError(false); }} />
        {noteError ? <Typography.Text type="danger">{t('noteRequired')}</Typography.Text> : null}
      </Modal>
    </>
  );
}
