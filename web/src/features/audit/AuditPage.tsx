/**
 * The audit trail: search by user, action (or its prefix), document, customer and dates, kept in the address so
 * reload and back work; each entry expands to its before and after, field by field. Export the matching entries as
 * CSV, and verify the hash chain that seals them.
 */
import { useMemo, useState } from 'react';
import {
  AutoComplete, Button, DatePicker, Form, Input, Modal, Result, Space, Table, Tag, Tooltip, Typography, type TableColumnsType,
} from 'antd';
import { ClockCircleOutlined, DownloadOutlined, LockOutlined, SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, apiUrl, type Page } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { formatInstant, formatNumber } from '../../shared/format.ts';
import { diffRows, type DiffRow } from './diff.ts';
import type { AuditEntry } from '../../api/types.ts';
import './audit.css';


interface Verification {
  ok: boolean;
  checked: number;
  sealedNow: number;
  head: { seq: string; hash: string } | null;
  problems: { seq: string | null; entryId: string | null; problem: 'changed' | 'deleted' | 'seal_missing' | 'unsealed'; message: string }[];
}

const FILTERS = ['actor', 'action', 'document', 'customer', 'from', 'to'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;
const PREFIXES = ['document', 'approval', 'user', 'session', 'customer', 'token', 'allocation', 'access', 'audit'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The object in an entry's values that is the entity itself (same id), or the values at the top: what names it. */
function namedIn(value: unknown, id: string | null, depth = 0): Record<string, unknown> | null {
  if (!value || typeof value !== 'object' || depth > 4) return null;
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = namedIn(v, id, depth + 1);
      if (found) return found;
    }
    return null;
  }
  const record = value as Record<string, unknown>;
  if (id && record.id === id) return record;
  for (const v of Object.values(record)) {
    const found = namedIn(v, id, depth + 1);
    if (found) return found;
  }
  return null;
}

/** The entry's object in words: its kind and the number, code or email that names it, linked where a screen shows it. */
function What({ entry, emails }: { entry: AuditEntry; emails: Map<string, string> }) {
  const { t } = useTranslation('audit');
  const values = (entry.after ?? entry.before ?? {}) as Record<string, unknown>;
  const named = namedIn(values, entry.entityId) ?? values;
  const name = [named.number, named.code, named.email, named.name].find((v) => typeof v === 'string') as string | undefined;
  const documentKind = entry.entityType === 'document' && typeof named.kind === 'string' ? t(`common:kinds.${named.kind}`, { defaultValue: '' }) : '';
  const kind = documentKind || t(`entities.${entry.entityType}`, { defaultValue: entry.entityType });
  const id = entry.entityId ?? '';
  const label = name ?? (entry.entityType === 'user' ? emails.get(id) : undefined) ?? (UUID.test(id) ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);
  let target: string | null = null;
  if (entry.entityType === 'document' && entry.entityId) target = `/documents/${encodeURIComponent(entry.entityId)}`;
  if (entry.entityType === 'customer' && entry.entityId) target = `/customers/${encodeURIComponent(entry.entityId)}`;
  return (
    <Space orientation="vertical" size={0}>
      <Typography.Text type="secondary">{kind}</Typography.Text>
      {label ? (
        <Tooltip title={label === id ? undefined : id}>
          {target ? <Link to={target}>{label}</Link> : <Typography.Text>{label}</Typography.Text>}
        </Tooltip>
      ) : null}
    </Space>
  );
}

function Values({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation('audit');
  const rows = useMemo(() => diffRows(entry.before, entry.after), [entry]);
  if (!rows.length) return <Typography.Text type="secondary">{t('details.nothing')}</Typography.Text>;
  const hasBefore = entry.before !== null && entry.before !== undefined;
  const hasAfter = entry.after !== null && entry.after !== undefined;
  const columns: TableColumnsType<DiffRow> = [
    { key: 'field', title: t('details.field'), width: 260, render: (_, r) => <Typography.Text code>{r.field}</Typography.Text> },
    ...(hasBefore ? [{ key: 'before', title: t('details.before'), render: (_: unknown, r: DiffRow) => <span className="audit-value">{r.before ?? '—'}</span> }] : []),
    ...(hasAfter ? [{
      key: 'after', title: t('details.after'),
      render: (_: unknown, r: DiffRow) => <Space><span className="audit-value">{r.after ?? '—'}</span>{r.changed ? <Tag color="orange">{t('details.changed')}</Tag> : null}</Space>,
    }] : []),
  ];
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary">{t('details.entry', { id: entry.id })}</Typography.Text>
      <Table<DiffRow>
        rowKey="field"
        size="small"
        columns={columns}
        dataSource={rows}
        pagination={false}
        rowClassName={(r) => (r.changed ? 'audit-changed' : '')}
      />
    </Space>
  );
}

function VerifyResult({ result, onClose }: { result: Verification; onClose: () => void }) {
  const { t, i18n } = useTranslation('audit');
  const count = formatNumber(String(result.checked), 'JPY', i18n.language);
  const real = result.problems.filter((p) => p.problem !== 'unsealed');
  return (
    <Modal open title={t('verify.title')} onCancel={onClose} footer={<Button type="primary" onClick={onClose}>{t('common:actions.close')}</Button>} width={820}>
      <Result
        status={result.ok ? 'success' : 'error'}
        title={result.ok ? t('verify.ok') : t('verify.broken')}
        subTitle={
          <Space orientation="vertical" size={2}>
            <span>{result.ok ? t('verify.okText', { count }) : t('verify.brokenText', { count: String(real.length) })}</span>
            {result.sealedNow ? <span>{t('verify.sealedNow', { count: formatNumber(String(result.sealedNow), 'JPY', i18n.language) })}</span> : null}
            {result.head ? <Typography.Text type="secondary" copyable={{ text: result.head.hash }}>{t('verify.head', { seq: result.head.seq, hash: `${result.head.hash.slice(0, 16)}…` })}</Typography.Text> : null}
          </Space>
        }
      />
      {result.problems.length ? (
        <Table
          rowKey={(p) => `${p.seq}-${p.entryId}-${p.problem}`}
          size="small"
          pagination={false}
          dataSource={result.problems}
          columns={[
            { key: 'seq', title: t('verify.seq'), width: 90, render: (_, p) => p.seq ?? '—' },
            { key: 'problem', title: t('verify.problem'), width: 150, render: (_, p) => <Tag color={p.problem === 'unsealed' ? 'default' : 'red'}>{t(`verify.problems.${p.problem}`)}</Tag> },
            { key: 'entry', title: t('verify.entry'), render: (_, p) => (p.entryId ? <Typography.Text code copyable>{p.entryId}</Typography.Text> : '—') },
          ]}
        />
      ) : null}
    </Modal>
  );
}

export function AuditPage() {
  const { t, i18n } = useTranslation('audit');
  const session = useSignedIn();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = useMemo<Filters>(() => Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? undefined]).filter(([, v]) => v)), [params]);
  const filterKey = JSON.stringify(filters);
  const paging = useCursorPaging(filterKey);
  const [form] = Form.useForm();
  const [verification, setVerification] = useState<Verification | null>(null);

  const query = useQuery({
    queryKey: ['audit', filterKey, paging.cursor ?? null],
    queryFn: () => api.get<Page<AuditEntry>>('/audit', { ...filters, cursor: paging.cursor }),
  });
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => api.get<{ items: { id: string; email: string; name: string }[] }>('/users'),
    enabled: can('users.read'),
    staleTime: 5 * 60_000,
  });
  const emails = useMemo(() => new Map((users.data?.items ?? []).map((u) => [u.id, u.email])), [users.data]);
  const verify = useMutation({
    mutationFn: () => api.post<Verification>('/audit/verify'),
    onSuccess: setVerification,
  });

  const actionName = (action: string) => t(`actionNames.${action}`, { defaultValue: '' });
  const actionOptions = [
    ...PREFIXES.map((p) => ({ value: `${p}.`, label: <Space><Typography.Text code>{p}.</Typography.Text>{t('filters.allOf', { prefix: t(`prefixes.${p}`) })}</Space> })),
  ];

  const search = (values: Record<string, unknown>) => {
    const next = new URLSearchParams();
    for (const f of ['actor', 'action', 'document', 'customer'] as const) {
      const v = typeof values[f] === 'string' ? (values[f] as string).trim() : '';
      if (v) next.set(f, v);
    }
    const range = values.dates as [Dayjs | null, Dayjs | null] | null | undefined;
    if (range?.[0]) next.set('from', range[0].format('YYYY-MM-DD'));
    if (range?.[1]) next.set('to', range[1].format('YYYY-MM-DD'));
    setParams(next);
  };
  const reset = () => {
    form.resetFields();
    form.setFieldsValue({ actor: undefined, action: undefined, document: undefined, customer: undefined, dates: null });
    setParams(new URLSearchParams());
  };

  const columns: TableColumnsType<AuditEntry> = [
    { key: 'when', title: t('columns.when'), width: 165, render: (_, e) => <span className="amount">{formatInstant(e.occurredAt, i18n.language, session.company.timeZone)}</span> },
    { key: 'who', title: t('columns.who'), width: 190, render: (_, e) => <Typography.Text ellipsis={{ tooltip: e.actor }} style={{ maxWidth: 180 }}>{e.actor}</Typography.Text> },
    {
      key: 'action', title: t('columns.action'), width: 180,
      render: (_, e) => (
        <Space orientation="vertical" size={0}>
          <span>{actionName(e.action) || e.action}</span>
          {actionName(e.action) ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{e.action}</Typography.Text> : null}
        </Space>
      ),
    },
    { key: 'what', title: t('columns.what'), width: 190, render: (_, e) => <What entry={e} emails={emails} /> },
    { key: 'reason', title: t('columns.reason'), render: (_, e) => e.reason ?? <Typography.Text type="secondary">—</Typography.Text> },
    {
      key: 'origin', title: t('columns.origin'), width: 130,
      render: (_, e) => {
        const ip = e.origin ?? ((e.after as { ip?: string } | null)?.ip ? `${(e.after as { ip: string }).ip}` : null);
        return ip ? <Typography.Text className="amount">{ip}</Typography.Text> : <Typography.Text type="secondary">—</Typography.Text>;
      },
    },
    {
      key: 'sealed', title: <span className="sr-only">{t('columns.sealed')}</span>, width: 44, align: 'center',
      render: (_, e) => (
        <Tooltip title={e.sealed ? t('sealed.yes') : t('sealed.no')}>
          <span role="img" aria-label={e.sealed ? t('sealed.yes') : t('sealed.no')} tabIndex={0}>
            {e.sealed ? <LockOutlined style={{ color: '#389e0d' }} /> : <ClockCircleOutlined style={{ color: '#98a2b3' }} />}
          </span>
        </Tooltip>
      ),
    },
  ];

  const initial = {
    actor: filters.actor, action: filters.action, document: filters.document, customer: filters.customer,
    dates: filters.from || filters.to ? [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null] : null,
  };

  return (
    <>
      <PageTitle
        title={t('title')}
        extra={
          <>
            {can('audit.export') ? (
              <Tooltip title={t('export.hint')}>
                <Button icon={<DownloadOutlined />} href={apiUrl('/audit/export', filters)} download>{t('export.button')}</Button>
              </Tooltip>
            ) : null}
            {can('audit.verify') ? (
              <Button icon={<SafetyCertificateOutlined />} loading={verify.isPending} onClick={() => verify.mutate()}>{t('verify.button')}</Button>
            ) : null}
          </>
        }
      />
      <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
      {verify.error ? <ErrorAlert error={verify.error} ns="audit" /> : null}
      <Form key={filterKey} form={form} layout="inline" className="filters" initialValues={initial} onFinish={search}>
        <Form.Item name="actor" label={t('filters.actor')}>
          <AutoComplete
            style={{ width: 220 }}
            placeholder={t('filters.actorPlaceholder')}
            allowClear
            options={(users.data?.items ?? []).map((u) => ({ value: u.email, label: `${u.email} · ${u.name}` }))}
            filterOption={(input, option) => String(option?.value ?? '').toLowerCase().includes(input.toLowerCase())}
          />
        </Form.Item>
        <Form.Item name="action" label={t('filters.action')}>
          <AutoComplete style={{ width: 220 }} placeholder={t('filters.actionPlaceholder')} allowClear options={actionOptions}
            filterOption={(input, option) => String(option?.value ?? '').startsWith(input.toLowerCase())} />
        </Form.Item>
        <Form.Item name="document" label={t('filters.document')}>
          <Input style={{ width: 170 }} placeholder={t('filters.documentPlaceholder')} allowClear />
        </Form.Item>
        <Form.Item name="customer" label={t('filters.customer')}>
          <Input style={{ width: 130 }} placeholder={t('filters.customerPlaceholder')} allowClear />
        </Form.Item>
        <Form.Item name="dates" label={t('filters.dates')}>
          <DatePicker.RangePicker allowEmpty={[true, true]} placeholder={[t('filters.from'), t('filters.to')]} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>{t('common:actions.search')}</Button>
            <Button onClick={reset}>{t('common:actions.reset')}</Button>
          </Space>
        </Form.Item>
      </Form>
      {query.error ? <ErrorAlert error={query.error} onRetry={() => void query.refetch()} ns="audit" /> : null}
      <Table<AuditEntry>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={query.data?.items ?? []}
        loading={query.isLoading}
        pagination={false}
        scroll={{ x: 1050 }}
        locale={{ emptyText: query.error ? t('common:states.error') : Object.keys(filters).length ? t('empty') : t('common:states.empty') }}
        expandable={{
          expandedRowRender: (e) => <Values entry={e} />,
          expandIcon: ({ expanded, onExpand, record }) => (
            <button
              type="button"
              className={`ant-table-row-expand-icon ${expanded ? 'ant-table-row-expand-icon-expanded' : 'ant-table-row-expand-icon-collapsed'}`}
              aria-label={expanded ? t('details.collapse') : t('details.expand')}
              aria-expanded={expanded}
              onClick={(event) => onExpand(record, event)}
            />
          ),
        }}
      />
      <CursorPager paging={paging} nextCursor={query.data?.nextCursor} loading={query.isFetching} />
      {verification ? <VerifyResult result={verification} onClose={() => setVerification(null)} /> : null}
    </>
  );
}
