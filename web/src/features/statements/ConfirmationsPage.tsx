/**
 * Balance confirmations (往来询证函): the list with what is still unanswered and for how long, issuing one, recording
 * the customer's answer (confirmed, or disputed with their figure: the difference is theirs − ours), correcting it
 * with a reason, downloading the letter and sending a reminder.
 */
import { useState } from 'react';
import { App as AntApp, Alert, Button, DatePicker, Form, Input, Modal, Radio, Space, Switch, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { DownloadOutlined, MailOutlined, PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, apiUrl, newIdempotencyKey, type Page } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { errorMessage } from '../../shared/errors.ts';
import { formatDate, formatNumber } from '../../shared/format.ts';
import { formatMinor, parseMinor, todayIn } from '../documents/money.ts';
import { CustomerSelect } from '../documents/CustomerSelect.tsx';
import type { ConfirmationDetail, ConfirmationSummary, SendRecord } from './types.ts';

const FILTERS = ['all', 'unanswered', 'answered', 'confirmed', 'disputed'] as const;
type Filter = (typeof FILTERS)[number];

export function ConfirmationsPage() {
  const { t, i18n } = useTranslation('statements');
  const locale = i18n.language;
  const { can } = useSession();
  const session = useSignedIn();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filter: Filter = (FILTERS as readonly string[]).includes(params.get('status') ?? '') ? (params.get('status') as Filter) : 'all';
  const paging = useCursorPaging(filter);
  const list = useQuery({
    queryKey: ['confirmations', filter, paging.cursor],
    queryFn: () => api.get<Page<ConfirmationSummary> & { today: string }>('/confirmations', { status: filter === 'all' ? undefined : filter, cursor: paging.cursor, limit: 50 }),
    placeholderData: keepPreviousData,
  });
  const [issuing, setIssuing] = useState(false);
  const [answering, setAnswering] = useState<ConfirmationSummary | null>(null);
  const manage = can('confirmations.manage');
  // The server's today (its clock is the one that counts), the dialogs' default date.
  const today = list.data?.today ?? todayIn(session.company.timeZone);
  const remind = useMutation({
    mutationFn: (c: ConfirmationSummary) => api.post<SendRecord>(`/confirmations/${encodeURIComponent(c.number)}/send`, {}, newIdempotencyKey()),
    onSuccess: (sent) => {
      void message.success(t('confirmations.reminded', { status: t(`status.${sent.status}`), to: sent.recipient }));
      void client.invalidateQueries({ queryKey: ['confirmations'] });
    },
    onError: (error) => void message.error(errorMessage(t, error, 'statements')),
  });

  const columns: TableColumnsType<ConfirmationSummary> = [
    { title: t('confirmations.columns.number'), dataIndex: 'number', width: 150, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    { title: t('confirmations.columns.customer'), key: 'customer', width: 280, render: (_: unknown, c) => <Link to={`/statements?customer=${encodeURIComponent(c.customer)}&to=${c.asOf}`}>{c.customer} {c.customerName}</Link> },
    { title: t('confirmations.columns.asOf'), dataIndex: 'asOf', width: 110, render: (v: string) => formatDate(v, locale) },
    { title: t('confirmations.columns.balances'), key: 'balances', align: 'right', render: (_: unknown, c) => c.balances.map((b) => <div key={b.currency} className="amount">{b.currency} {formatNumber(b.balance, b.currency, locale)}</div>) },
    { title: t('confirmations.columns.issued'), dataIndex: 'issuedOn', width: 110, render: (v: string) => formatDate(v, locale) },
    {
      title: t('confirmations.columns.status'), dataIndex: 'status', width: 100,
      render: (v: ConfirmationSummary['status']) => <Tag color={v === 'confirmed' ? 'green' : v === 'disputed' ? 'red' : 'gold'}>{t(`confirmations.status.${v}`)}</Tag>,
    },
    { title: t('confirmations.columns.days'), dataIndex: 'daysOutstanding', width: 100, align: 'right', render: (v: number | null) => (v === null ? '—' : v) },
    { title: t('confirmations.columns.sends'), dataIndex: 'sends', width: 80, align: 'right' },
    {
      key: 'actions', width: 340,
      render: (_: unknown, c) => (
        <Space wrap size="small">
          <Button size="small" icon={<DownloadOutlined />} href={apiUrl(`/confirmations/${encodeURIComponent(c.number)}/pdf`)}>{t('confirmations.pdf')}</Button>
          {manage ? <Button size="small" onClick={() => setAnswering(c)}>{c.status === 'unanswered' ? t('confirmations.answer') : t('confirmations.correct')}</Button> : null}
          {manage && c.status === 'unanswered' ? <Button size="small" icon={<MailOutlined />} loading={remind.isPending && remind.variables?.id === c.id} onClick={() => remind.mutate(c)}>{t('confirmations.remind')}</Button> : null}
        </Space>
      ),
    },
  ];

  return (
    <div className="confirmations-page">
      <PageTitle title={t('confirmations.title')} extra={manage ? [<Button key="issue" type="primary" icon={<PlusOutlined />} onClick={() => setIssuing(true)}>{t('confirmations.issue')}</Button>] : undefined} />
      <Space style={{ marginBottom: 12 }}>
        <span>{t('confirmations.filter')}</span>
        <Radio.Group value={filter} optionType="button" aria-label={t('confirmations.filter')}
          onChange={(e) => setParams((p) => { const n = new URLSearchParams(p); if (e.target.value === 'all') n.delete('status'); else n.set('status', e.target.value); return n; })}
          options={FILTERS.map((f) => ({ value: f, label: t(`confirmations.filters.${f}`) }))} />
      </Space>
      {list.error ? <ErrorAlert error={list.error} ns="statements" onRetry={() => void list.refetch()} /> : null}
      <Table<ConfirmationSummary> rowKey="id" size="middle" loading={list.isFetching} columns={columns} dataSource={list.data?.items ?? []} pagination={false} scroll={{ x: 1350 }}
        expandable={{ expandedRowRender: (c) => <AnswerHistory number={c.number} />, rowExpandable: (c) => c.status !== 'unanswered' }} />
      <CursorPager paging={paging} nextCursor={list.data?.nextCursor} loading={list.isFetching} />
      {issuing ? <IssueDialog today={today} onClose={() => setIssuing(false)} /> : null}
      {answering ? <AnswerDialog today={today} confirmation={answering} onClose={() => setAnswering(null)} /> : null}
    </div>
  );
}

function AnswerHistory({ number }: { number: string }) {
  const { t, i18n } = useTranslation('statements');
  const detail = useQuery({ queryKey: ['confirmation', number], queryFn: () => api.get<ConfirmationDetail>(`/confirmations/${encodeURIComponent(number)}`) });
  if (!detail.data) return null;
  return (
    <Space orientation="vertical" size="small">
      {detail.data.answers.map((a) => (
        <div key={a.id}>
          <Tag color={a.status === 'confirmed' ? 'green' : 'red'}>{t(`confirmations.status.${a.status}`)}</Tag>
          {formatDate(a.answeredOn, i18n.language)} {a.current ? null : <Typography.Text delete type="secondary">{t('confirmations.superseded')}</Typography.Text>}
          {a.reason ? <Typography.Text type="secondary"> — {a.reason}</Typography.Text> : null}
          {a.figures.filter((f) => !/^-?0(\.0+)?$/.test(f.difference)).map((f) => (
            <div key={f.currency}>{t('confirmations.difference', { amount: `${f.currency} ${formatNumber(f.difference, f.currency, i18n.language)}` })}</div>
          ))}
          {a.explanation ? <div>{a.explanation}</div> : null}
          {a.differences.map((d, n) => <div key={n} className="muted">{d.document ?? '—'} {d.currency} {formatNumber(d.amount, d.currency, i18n.language)}: {d.reason}</div>)}
        </div>
      ))}
    </Space>
  );
}

function IssueDialog({ today, onClose }: { today: string; onClose: () => void }) {
  const { t } = useTranslation('statements');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [customer, setCustomer] = useState<string | undefined>();
  const [asOf, setAsOf] = useState(today);
  const [note, setNote] = useState('');
  const [send, setSend] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const issue = useMutation({
    mutationFn: () => api.post<ConfirmationDetail>('/confirmations', { customer, asOf, send, ...(note.trim() ? { note: note.trim() } : {}) }, key),
    onSuccess: (c) => {
      void message.success(t('confirmations.issued', { number: c.number }));
      void client.invalidateQueries({ queryKey: ['confirmations'] });
      onClose();
    },
  });
  return (
    <Modal open title={t('confirmations.issueTitle')} onOk={() => issue.mutate()} okButtonProps={{ disabled: !customer }} confirmLoading={issue.isPending} onCancel={onClose}>
      <Form layout="vertical">
        <Form.Item label={t('form.customer')}><CustomerSelect value={customer ?? null} onChange={setCustomer} aria-label={t('form.customer')} /></Form.Item>
        <Form.Item label={t('confirmations.asOf')}>
          <DatePicker value={dayjs(asOf)} allowClear={false} onChange={(d) => d && setAsOf(d.format('YYYY-MM-DD'))} aria-label={t('confirmations.asOf')} />
        </Form.Item>
        <Form.Item label={t('confirmations.note')}><Input value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} /></Form.Item>
        <Form.Item label={t('confirmations.sendNow')}><Switch checked={send} onChange={setSend} /></Form.Item>
      </Form>
      {issue.error ? <Alert type="error" title={errorMessage(t, issue.error, 'statements')} /> : null}
    </Modal>
  );
}

function AnswerDialog({ today, confirmation, onClose }: { today: string; confirmation: ConfirmationSummary; onClose: () => void }) {
  const { t, i18n } = useTranslation('statements');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const correction = confirmation.status !== 'unanswered';
  const [status, setStatus] = useState<'confirmed' | 'disputed'>('confirmed');
  const [answeredOn, setAnsweredOn] = useState(today);
  const [theirs, setTheirs] = useState<Record<string, string>>({});
  const [explanation, setExplanation] = useState('');
  const [reason, setReason] = useState('');
  const [key] = useState(newIdempotencyKey);
  const save = useMutation({
    mutationFn: () => api.post<ConfirmationDetail>(`/confirmations/${encodeURIComponent(confirmation.number)}/answer`, {
      status, answeredOn, correction, ...(correction ? { reason } : {}),
      ...(explanation.trim() ? { explanation: explanation.trim() } : {}),
      theirBalances: status === 'disputed' ? Object.entries(theirs).filter(([, v]) => v.trim()).map(([currency, balance]) => ({ currency, balance: balance.trim() })) : [],
    }, key),
    onSuccess: () => {
      void message.success(t('confirmations.saved', { number: confirmation.number }));
      void client.invalidateQueries({ queryKey: ['confirmations'] });
      void client.invalidateQueries({ queryKey: ['confirmation', confirmation.number] });
      onClose();
    },
  });
  /** Theirs − ours, exactly, while typing (nothing when their figure is not yet a number). */
  const difference = (currency: string, ours: string) => {
    const typed = theirs[currency]?.trim();
    if (!typed) return null;
    const a = parseMinor(typed, currency);
    const b = parseMinor(ours, currency);
    return typeof a !== 'bigint' || typeof b !== 'bigint' ? null : formatMinor(a - b, currency);
  };
  return (
    <Modal open title={t('confirmations.answerTitle', { number: confirmation.number })} onOk={() => save.mutate()} confirmLoading={save.isPending} onCancel={onClose}>
      <Form layout="vertical">
        <Form.Item label={t('confirmations.answerStatus')}>
          <Radio.Group value={status} onChange={(e) => setStatus(e.target.value)} optionType="button"
            options={[{ value: 'confirmed', label: t('confirmations.status.confirmed') }, { value: 'disputed', label: t('confirmations.status.disputed') }]} />
        </Form.Item>
        <Form.Item label={t('confirmations.answeredOn')}>
          <DatePicker value={dayjs(answeredOn)} allowClear={false} onChange={(d) => d && setAnsweredOn(d.format('YYYY-MM-DD'))} aria-label={t('confirmations.answeredOn')} />
        </Form.Item>
        {status === 'disputed' ? confirmation.balances.map((b) => {
          const diff = difference(b.currency, b.balance);
          return (
            <Form.Item key={b.currency} label={t('confirmations.theirBalance', { currency: b.currency })}
              extra={diff === null ? `${b.currency} ${formatNumber(b.balance, b.currency, i18n.language)}` : t('confirmations.difference', { amount: `${b.currency} ${formatNumber(diff, b.currency, i18n.language)}` })}>
              <Input inputMode="decimal" value={theirs[b.currency] ?? ''} onChange={(e) => setTheirs({ ...theirs, [b.currency]: e.target.value })} aria-label={t('confirmations.theirBalance', { currency: b.currency })} />
            </Form.Item>
          );
        }) : null}
        <Form.Item label={t('confirmations.explanation')}><Input.TextArea value={explanation} onChange={(e) => setExplanation(e.target.value)} rows={3} maxLength={4000} /></Form.Item>
        {correction ? <Form.Item label={t('confirmations.reason')} required><Input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} aria-label={t('confirmations.reason')} /></Form.Item> : null}
      </Form>
      {save.error ? <Alert type="error" title={errorMessage(t, save.error, 'statements')} /> : null}
    </Modal>
  );
}
