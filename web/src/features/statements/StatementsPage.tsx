/**
 * The statement of account (对账单): pick a customer and a period, see each currency's lines with the running
 * balance, the closing balance and the aging at the end; download it as PDF or XLSX, or email it. Customer, period
 * and language live in the address, so a link shows the same statement.
 */
import { useState } from 'react';
import { App as AntApp, Alert, Button, Card, DatePicker, Form, Input, Modal, Radio, Space, Table, Typography, type TableColumnsType } from 'antd';
import { DownloadOutlined, MailOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, apiUrl, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { errorMessage } from '../../shared/errors.ts';
import { formatDate, formatInstant, formatNumber, isNegative } from '../../shared/format.ts';
import { todayIn } from '../documents/money.ts';
import { CustomerSelect } from '../documents/CustomerSelect.tsx';
import type { SendRecord, Statement, StatementBucket, StatementLine, StatementSection } from './types.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ZERO = /^-?0(\.0+)?$/;

export function StatementsPage() {
  const { t, i18n } = useTranslation('statements');
  const locale = i18n.language;
  const session = useSignedIn();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const today = todayIn(session.company.timeZone);
  const customer = params.get('customer') ?? undefined;
  // Without dates in the address the API's own defaults apply (its today; the month to date) and the page shows them.
  const toAsked = DATE.test(params.get('to') ?? '') ? params.get('to')! : undefined;
  const fromAsked = DATE.test(params.get('from') ?? '') ? params.get('from')! : undefined;
  const lang = params.get('lang') === 'en' || params.get('lang') === 'zh-CN' ? params.get('lang')! : undefined;
  const set = (changes: Record<string, string | undefined>) => setParams((current) => {
    const next = new URLSearchParams(current);
    for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v); else next.delete(k);
    return next;
  });

  const query = { from: fromAsked, to: toAsked, lang };
  const statement = useQuery({
    queryKey: ['statement', customer, query],
    queryFn: () => api.get<Statement>(`/customers/${encodeURIComponent(customer!)}/statement`, query),
    enabled: Boolean(customer),
  });
  const sends = useQuery({
    queryKey: ['statement-sends', customer],
    queryFn: () => api.get<{ items: SendRecord[] }>(`/customers/${encodeURIComponent(customer!)}/statement/sends`),
    enabled: Boolean(customer),
  });
  const to = toAsked ?? statement.data?.to ?? today;
  const from = fromAsked ?? statement.data?.from ?? `${to.slice(0, 7)}-01`;
  const [sending, setSending] = useState(false);
  const fileUrl = (format: 'pdf' | 'xlsx') => apiUrl(`/customers/${encodeURIComponent(customer ?? '')}/statement`, { from, to, lang, format });
  const handle = session.user.handle;
  const scoped = session.user.role === 'collector' || session.user.role === 'sales';

  return (
    <div className="statements-page">
      <PageTitle title={t('title')} extra={customer && statement.data ? [
        <Button key="pdf" icon={<DownloadOutlined />} href={fileUrl('pdf')}>{t('download.pdf')}</Button>,
        <Button key="xlsx" icon={<DownloadOutlined />} href={fileUrl('xlsx')}>{t('download.xlsx')}</Button>,
        ...(can('statements.send') ? [<Button key="send" type="primary" icon={<MailOutlined />} onClick={() => setSending(true)}>{t('send.button')}</Button>] : []),
      ] : undefined} />
      {scoped ? <Typography.Paragraph type="secondary">{t('scopeNote', { handle })}</Typography.Paragraph> : null}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form layout="inline" aria-label={t('form.period')}>
          <Form.Item label={t('form.customer')}>
            <CustomerSelect value={customer ?? null} onChange={(code) => set({ customer: code })} placeholder={t('form.customerPlaceholder')} style={{ width: 260 }} aria-label={t('form.customer')} />
          </Form.Item>
          <Form.Item label={t('form.period')}>
            <DatePicker.RangePicker
              value={[dayjs(from), dayjs(to)]} allowClear={false} aria-label={t('form.period')}
              onChange={(range) => { if (range?.[0] && range[1]) set({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') }); }}
            />
          </Form.Item>
          <Form.Item label={t('form.lang')}>
            <Radio.Group value={lang ?? 'auto'} onChange={(e) => set({ lang: e.target.value === 'auto' ? undefined : e.target.value })}
              options={(['auto', 'zh-CN', 'en'] as const).map((v) => ({ value: v, label: t(`languages.${v}`) }))} optionType="button" />
          </Form.Item>
        </Form>
      </Card>
      {!customer ? <Alert type="info" title={t('pick')} /> : null}
      {statement.error ? <ErrorAlert error={statement.error} ns="statements" onRetry={() => void statement.refetch()} /> : null}
      {statement.data ? <StatementView statement={statement.data} locale={locale} /> : null}
      {customer && sends.data ? (
        <Card size="small" title={t('sends.title')} style={{ marginTop: 16 }}>
          <Table<SendRecord> size="small" rowKey="id" pagination={false} dataSource={sends.data.items} locale={{ emptyText: t('sends.none') }}
            columns={[
              { title: t('sends.when'), dataIndex: 'requestedAt', render: (v: string) => formatInstant(v, locale, session.company.timeZone) },
              { title: t('sends.to'), dataIndex: 'recipient' },
              { title: t('sends.status'), dataIndex: 'status', render: (v: SendRecord['status'], r) => <span title={r.error ?? undefined}>{t(`status.${v}`)}</span> },
              { title: t('sends.messageId'), dataIndex: 'messageId', render: (v: string | null) => <Typography.Text code>{v ?? '—'}</Typography.Text> },
            ]} />
        </Card>
      ) : null}
      {sending && customer ? <SendDialog customer={customer} query={{ from, to, lang }} onClose={() => setSending(false)} /> : null}
    </div>
  );
}

function SendDialog({ customer, query, onClose }: { customer: string; query: { from: string; to: string; lang: string | undefined }; onClose: () => void }) {
  const { t } = useTranslation('statements');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [recipient, setRecipient] = useState('');
  const [format, setFormat] = useState<'pdf' | 'xlsx'>('pdf');
  const [key] = useState(newIdempotencyKey);
  const send = useMutation({
    mutationFn: () => api.post<SendRecord>(`/customers/${encodeURIComponent(customer)}/statement/send`, { ...query, format, ...(recipient.trim() ? { recipient: recipient.trim() } : {}) }, key),
    onSuccess: (sent) => {
      void message.success(t('send.done', { status: t(`status.${sent.status}`), to: sent.recipient }));
      void client.invalidateQueries({ queryKey: ['statement-sends', customer] });
      onClose();
    },
  });
  return (
    <Modal open title={t('send.title')} okText={t('send.ok')} onOk={() => send.mutate()} confirmLoading={send.isPending} onCancel={onClose}>
      <Form layout="vertical">
        <Form.Item label={t('send.recipient')} extra={t('send.recipientHint')}>
          <Input type="email" value={recipient} onChange={(e) => setRecipient(e.target.value)} aria-label={t('send.recipient')} />
        </Form.Item>
        <Form.Item label={t('send.format')}>
          <Radio.Group value={format} onChange={(e) => setFormat(e.target.value)} options={[{ value: 'pdf', label: 'PDF' }, { value: 'xlsx', label: 'XLSX' }]} optionType="button" />
        </Form.Item>
      </Form>
      {send.error ? <Alert type="error" title={errorMessage(t, send.error, 'statements')} /> : null}
    </Modal>
  );
}

type Row = StatementLine & { key: string; label?: string };

function StatementView({ statement, locale }: { statement: Statement; locale: string }) {
  const { t } = useTranslation('statements');
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('header', { name: statement.customer.name, code: statement.customer.code, from: formatDate(statement.from, locale), to: formatDate(statement.to, locale) })}
      </Typography.Title>
      {statement.sections.map((section) => <SectionView key={section.currency} section={section} statement={statement} locale={locale} />)}
    </Space>
  );
}

function SectionView({ section, statement, locale }: { section: StatementSection; statement: Statement; locale: string }) {
  const { t } = useTranslation('statements');
  const money = (value: string, strong?: boolean) => (value === '' || (ZERO.test(value) && !strong) ? null : (
    <Typography.Text className="amount" strong={strong} type={isNegative(value) ? 'danger' : undefined}>{formatNumber(value, section.currency, locale)}</Typography.Text>
  ));
  // The opening and closing lines: only their figures (the closing line carries the period's totals).
  const blank = { dueDate: null, reference: null, debit: '', credit: '', applied: '', type: 'document' as const, kind: '', number: '' };
  const rows: Row[] = [
    { ...blank, key: 'opening', date: statement.from, label: t('opening'), balance: section.opening },
    ...section.lines.map((l, n) => ({ ...l, key: `l${n}` })),
    { ...blank, key: 'closing', date: statement.to, label: t('closing'), debit: section.debits, credit: section.credits, balance: section.closing },
  ];
  const columns: TableColumnsType<Row> = [
    { title: t('columns.date'), dataIndex: 'date', width: 110, render: (v: string) => formatDate(v, locale) },
    {
      title: t('columns.type'), key: 'type', width: 120,
      render: (_: unknown, r) => (r.label ? <strong>{r.label}</strong> : r.type === 'allocation' ? <Typography.Text type="secondary">{t('applied')}</Typography.Text> : t(`kinds.${r.kind}`, { defaultValue: r.kind })),
    },
    { title: t('columns.number'), dataIndex: 'number', render: (v: string, r) => (v && r.type === 'document' ? <Link to={`/documents/${encodeURIComponent(`${r.kind}:${v}`)}`}>{v}</Link> : v) },
    { title: t('columns.reference'), dataIndex: 'reference' },
    { title: t('columns.due'), dataIndex: 'dueDate', width: 110, render: (v: string | null) => (v ? formatDate(v, locale) : null) },
    { title: t('columns.debit'), dataIndex: 'debit', align: 'right', render: (v: string, r) => money(v, Boolean(r.label)) },
    { title: t('columns.credit'), dataIndex: 'credit', align: 'right', render: (v: string, r) => money(v, Boolean(r.label)) },
    { title: t('columns.applied'), dataIndex: 'applied', align: 'right', render: (v: string) => money(v) },
    { title: t('columns.balance'), dataIndex: 'balance', align: 'right', render: (v: string, r) => money(v, Boolean(r.label) || true) },
  ];
  const bucketTitle = (b: StatementBucket) => (b.key === 'current' ? t('agingColumns.current') : b.toDays === null ? t('bucket.over', { days: (b.fromDays ?? 1) - 1 }) : t('bucket.range', { from: b.fromDays, to: b.toDays }));
  const aging = section.aging;
  return (
    <Card size="small" title={t('section', { currency: section.currency })} data-currency={section.currency}>
      <Table<Row> size="small" rowKey="key" pagination={rows.length > 200 ? { pageSize: 200 } : false} columns={columns} dataSource={rows}
        rowClassName={(r) => (r.label ? 'statement-total' : r.type === 'allocation' ? 'statement-allocation' : '')} scroll={{ x: 900 }} />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('check', { closing: formatNumber(section.closing, section.currency, locale), opening: formatNumber(section.opening, section.currency, locale), debits: formatNumber(section.debits, section.currency, locale), credits: formatNumber(section.credits, section.currency, locale) })}
      </Typography.Paragraph>
      <Typography.Text strong>{t('aging', { date: formatDate(statement.to, locale) })}</Typography.Text>
      <Table size="small" rowKey="k" pagination={false} style={{ marginTop: 8 }} scroll={{ x: 900 }}
        dataSource={[{ k: 'aging', ...aging }]}
        columns={[
          ...aging.buckets.map((b) => ({ title: bucketTitle(b), key: b.key, align: 'right' as const, render: () => money(b.key === 'current' ? aging.current : aging.byBucket[b.key]!, false) ?? '0' })),
          { title: t('agingColumns.outstanding'), key: 'o', align: 'right' as const, render: () => money(aging.outstanding, true) },
          { title: t('agingColumns.unapplied'), key: 'u', align: 'right' as const, render: () => money(aging.unapplied, true) },
          { title: t('agingColumns.net'), key: 'n', align: 'right' as const, render: () => money(aging.net, true) },
        ]} />
    </Card>
  );
}
