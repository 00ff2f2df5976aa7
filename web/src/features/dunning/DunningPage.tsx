/**
 * Dunning (催收提醒): the strategies and their steps (an editor for finance managers), the templates side by side in
 * Chinese and English with a live preview of each, a run preview (dry run at a date, or the real run), and the run
 * history with the outbox. A collector sees the strategies and their own customers' messages.
 */
import { useEffect, useState } from 'react';
import {
  App as AntApp, Button, Card, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select, Space, Switch, Table, Tabs, Tag, Typography, type TableColumnsType,
} from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, apiUrl, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatDate } from '../../shared/format.ts';
import { todayIn } from '../documents/money.ts';

const CHANNELS = ['email', 'sms', 'letter', 'call_task', 'visit_task', 'final_notice', 'lawyer_letter', 'agency_task', 'legal_task'] as const;
const LETTERS = ['letter', 'final_notice', 'lawyer_letter'];
type Lang = 'zh-CN' | 'en';
const LANGS: Lang[] = ['zh-CN', 'en'];
const VARIABLES = '{{customer.name}} {{customer.address}} {{contact.name}} {{asOf}} {{reference}} {{#items}}{{document}} {{dueDate}} {{daysOverdue}} {{currency}} {{open}} {{interest}}{{/items}} {{#totals}}{{currency}} {{open}} {{interest}} {{fee}} {{total}}{{/totals}} {{fee}} {{#hasFee}}…{{/hasFee}} {{bank.name}} {{bank.account}} {{bank.accountName}} {{company.name}} {{statementLink}}';

interface Step { seq: number; offsetDays: number; channel: string; templateKey: string; fee: string | null; feeCurrency: string | null; lateInterest: boolean }
interface Strategy { id: string; code: string; name: string; priority: number; isDefault: boolean; active: boolean; minAmount: string; match: { segment?: string; grades?: string[]; minOpen?: string; minBrokenPromises?: number }; steps: Step[] }
interface Template { key: string; language: Lang; subject: string; body: string }
interface Rendered { key: string; customer: string; customerName: string; stepSeq: number; channel: string; recipient: string | null; subject: string; body: string; totals: { currency: string; total: string }[] }
interface RunResult { runId: string | null; asOf: string; dryRun: boolean; messages: number; tasks: number; items: number; skipped: Record<string, number>; alreadySent: number; feeDocuments: string[]; preview: Rendered[] }
interface Run { id: string; asOf: string; messages: number; tasks: number; items: number; skipped: number; fees: number; createdAt: string; createdBy: string }
interface Message { id: string; runId: string; asOf: string; customer: string; customerName: string; stepSeq: number; channel: string; recipient: string | null; subject: string; body: string; status: string; attempts: number; error: string | null }

export function DunningPage() {
  const { t } = useTranslation('dunning');
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? (can('dunning.manage') ? 'strategies' : 'history');
  const manage = can('dunning.manage');
  const items = [
    { key: 'strategies', label: t('tabs.strategies'), children: <StrategiesTab manage={manage} /> },
    { key: 'templates', label: t('tabs.templates'), children: <TemplatesTab manage={manage} /> },
    ...(manage ? [{ key: 'run', label: t('tabs.run'), children: <RunTab /> }] : []),
    { key: 'history', label: t('tabs.history'), children: <HistoryTab /> },
  ];
  return (
    <>
      <PageTitle title={t('title')} />
      <Typography.Paragraph type="secondary">{t('subtitle')}</Typography.Paragraph>
      <Tabs activeKey={tab} items={items} onChange={(key) => setParams({ tab: key })} destroyOnHidden />
    </>
  );
}

function StepTags({ steps }: { steps: Step[] }) {
  const { t } = useTranslation('dunning');
  return (
    <Space size={[4, 4]} wrap>
      {steps.map((s) => (
        <Tag key={s.seq} color={LETTERS.includes(s.channel) ? 'volcano' : s.channel.endsWith('_task') ? 'blue' : 'default'}>
          {s.offsetDays > 0 ? '+' : ''}{t('strategies.days', { days: s.offsetDays })} {t(`channel.${s.channel}`)}
          {s.fee ? ` · ${t('strategies.fee', { fee: s.fee, currency: s.feeCurrency })}` : ''}{s.lateInterest ? ` ${t('strategies.interest')}` : ''}
        </Tag>
      ))}
    </Space>
  );
}

function StrategiesTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation('dunning');
  const query = useQuery({ queryKey: ['dunning', 'strategies'], queryFn: () => api.get<{ items: Strategy[] }>('/dunning/strategies') });
  const [editing, setEditing] = useState<Strategy | 'new' | null>(null);
  const rule = (s: Strategy) => {
    const parts = [
      s.match.segment ? t('strategies.segment', { value: s.match.segment }) : null,
      s.match.grades ? t('strategies.grades', { value: s.match.grades.join(', ') }) : null,
      s.match.minOpen ? t('strategies.minOpen', { value: s.match.minOpen }) : null,
      s.match.minBrokenPromises ? t('strategies.brokenPromises', { value: s.match.minBrokenPromises }) : null,
    ].filter(Boolean);
    return <Space size={4} wrap>{s.isDefault ? <Tag color="green">{t('strategies.default')}</Tag> : null}{parts.map((p) => <Tag key={p}>{p}</Tag>)}{s.active ? null : <Tag color="red">{t('strategies.inactive')}</Tag>}</Space>;
  };
  const columns: TableColumnsType<Strategy> = [
    { title: t('strategies.columns.code'), dataIndex: 'code', width: 130 },
    { title: t('strategies.columns.name'), dataIndex: 'name', width: 180 },
    { title: t('strategies.columns.priority'), dataIndex: 'priority', width: 90, align: 'right' },
    { title: t('strategies.columns.rule'), key: 'rule', width: 220, render: (_: unknown, s) => rule(s) },
    { title: t('strategies.columns.steps'), key: 'steps', render: (_: unknown, s) => <StepTags steps={s.steps} /> },
    ...(manage ? [{ title: '', key: 'edit', width: 80, render: (_: unknown, s: Strategy) => <Button size="small" onClick={() => setEditing(s)} aria-label={`${t('strategies.edit')} ${s.code}`}>{t('strategies.edit')}</Button> }] : []),
  ];
  return (
    <>
      {query.error ? <ErrorAlert error={query.error} ns="dunning" onRetry={() => void query.refetch()} /> : null}
      {manage ? <Button type="primary" icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setEditing('new')}>{t('strategies.add')}</Button> : null}
      <Table<Strategy> rowKey="code" size="small" columns={columns} dataSource={query.data?.items ?? []} loading={query.isFetching} pagination={false}
        aria-label={t('tabs.strategies')} locale={{ emptyText: t('strategies.empty') }} scroll={{ x: 900 }} />
      {editing ? <StrategyEditor strategy={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
    </>
  );
}

interface StrategyForm {
  code: string; name: string; priority: number; isDefault: boolean; active: boolean; minAmount: string; segment?: string; grades?: string[]; minOpen?: string; minBrokenPromises?: number | null;
  steps: { offsetDays: number; channel: string; templateKey: string; fee?: string; feeCurrency?: string; lateInterest: boolean }[];
}

function StrategyEditor({ strategy, onClose }: { strategy: Strategy | null; onClose: () => void }) {
  const { t } = useTranslation('dunning');
  const { message } = AntApp.useApp();
  const session = useSignedIn();
  const client = useQueryClient();
  const [form] = Form.useForm<StrategyForm>();
  const templates = useQuery({ queryKey: ['dunning', 'templates'], queryFn: () => api.get<{ items: Template[] }>('/dunning/templates') });
  const keys = [...new Set((templates.data?.items ?? []).map((x) => x.key))];
  const [key] = useState(newIdempotencyKey);
  const save = useMutation({
    mutationFn: (v: StrategyForm) => api.post<Strategy>('/dunning/strategies', {
      code: v.code, name: v.name, priority: v.priority, isDefault: v.isDefault, active: v.active, minAmount: v.minAmount || '0',
      match: { ...(v.segment ? { segment: v.segment } : {}), ...(v.grades?.length ? { grades: v.grades } : {}), ...(v.minOpen ? { minOpen: v.minOpen } : {}), ...(v.minBrokenPromises ? { minBrokenPromises: v.minBrokenPromises } : {}) },
      steps: v.steps.map((s) => ({ offsetDays: s.offsetDays, channel: s.channel, templateKey: s.templateKey, lateInterest: s.lateInterest ?? false, ...(s.fee ? { fee: s.fee, feeCurrency: s.feeCurrency || session.company.currency } : {}) })),
    }, `${key}-${JSON.stringify(v).length}`),
    onSuccess: async (s) => {
      void message.success(t('editor.saved', { code: s.code }));
      await client.invalidateQueries({ queryKey: ['dunning', 'strategies'] });
      onClose();
    },
  });
  const initial: StrategyForm = strategy
    ? {
      code: strategy.code, name: strategy.name, priority: strategy.priority, isDefault: strategy.isDefault, active: strategy.active, minAmount: strategy.minAmount,
      segment: strategy.match.segment, grades: strategy.match.grades, minOpen: strategy.match.minOpen, minBrokenPromises: strategy.match.minBrokenPromises ?? null,
      steps: strategy.steps.map((s) => ({ offsetDays: s.offsetDays, channel: s.channel, templateKey: s.templateKey, fee: s.fee ?? undefined, feeCurrency: s.feeCurrency ?? undefined, lateInterest: s.lateInterest })),
    }
    : { code: '', name: '', priority: 100, isDefault: false, active: true, minAmount: '0', steps: [{ offsetDays: 7, channel: 'email', templateKey: keys[0] ?? '', lateInterest: false }] };
  return (
    <Modal open width={980} title={strategy ? t('editor.titleEdit', { code: strategy.code }) : t('editor.titleNew')} onCancel={onClose}
      okText={t('editor.save')} onOk={() => form.submit()} confirmLoading={save.isPending} destroyOnHidden>
      {save.error ? <ErrorAlert error={save.error} ns="dunning" /> : null}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} requiredMark={false}>
        <Row gutter={12}>
          <Col span={6}><Form.Item name="code" label={t('editor.code')} rules={[{ required: true }]}><Input disabled={!!strategy} maxLength={64} /></Form.Item></Col>
          <Col span={10}><Form.Item name="name" label={t('editor.name')} rules={[{ required: true }]}><Input maxLength={200} /></Form.Item></Col>
          <Col span={4}><Form.Item name="priority" label={t('editor.priority')}><InputNumber min={0} max={10000} style={{ width: '100%' }} /></Form.Item></Col>
          <Col span={4}><Form.Item name="minAmount" label={t('editor.minAmount')}><Input inputMode="decimal" /></Form.Item></Col>
        </Row>
        <Typography.Text strong>{t('editor.rule')}</Typography.Text>
        <Row gutter={12} style={{ marginTop: 8 }}>
          <Col span={4}><Form.Item name="isDefault" label={t('editor.isDefault')} valuePropName="checked"><Switch /></Form.Item></Col>
          <Col span={5}><Form.Item name="segment" label={t('editor.segment')}><Input maxLength={100} /></Form.Item></Col>
          <Col span={5}><Form.Item name="grades" label={t('editor.grades')}><Select mode="tags" placeholder={t('editor.gradesHint')} options={['A', 'B', 'C', 'D', 'E'].map((g) => ({ value: g, label: g }))} /></Form.Item></Col>
          <Col span={4}><Form.Item name="minOpen" label={t('editor.minOpen')}><Input inputMode="decimal" /></Form.Item></Col>
          <Col span={4}><Form.Item name="minBrokenPromises" label={t('editor.minBrokenPromises')}><InputNumber min={1} max={100} style={{ width: '100%' }} /></Form.Item></Col>
          <Col span={2}><Form.Item name="active" label={t('editor.active')} valuePropName="checked"><Switch /></Form.Item></Col>
        </Row>
        <Typography.Text strong>{t('editor.steps')}</Typography.Text>
        <Form.List name="steps">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, n) => (
                <Row key={field.key} gutter={8} align="middle" style={{ marginTop: 8 }}>
                  <Col span={1}><Typography.Text type="secondary">{n + 1}</Typography.Text></Col>
                  <Col span={3}><Form.Item name={[field.name, 'offsetDays']} label={t('editor.offsetDays')} rules={[{ required: true }]}><InputNumber min={-365} max={1095} style={{ width: '100%' }} /></Form.Item></Col>
                  <Col span={4}><Form.Item name={[field.name, 'channel']} label={t('editor.channel')} rules={[{ required: true }]}><Select options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))} /></Form.Item></Col>
                  <Col span={5}><Form.Item name={[field.name, 'templateKey']} label={t('editor.template')} rules={[{ required: true }]}><Select options={keys.map((k) => ({ value: k, label: k }))} /></Form.Item></Col>
                  <Col span={3}><Form.Item name={[field.name, 'fee']} label={t('editor.fee')}><Input inputMode="decimal" /></Form.Item></Col>
                  <Col span={3}><Form.Item name={[field.name, 'feeCurrency']} label={t('editor.feeCurrency')}><Input maxLength={3} placeholder={session.company.currency} /></Form.Item></Col>
                  <Col span={3}><Form.Item name={[field.name, 'lateInterest']} label={t('editor.lateInterest')} valuePropName="checked"><Switch /></Form.Item></Col>
                  <Col span={2}><Button type="text" danger icon={<MinusCircleOutlined />} aria-label={t('editor.removeStep', { n: n + 1 })} onClick={() => remove(field.name)} /></Col>
                </Row>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ offsetDays: 0, channel: 'email', templateKey: keys[0] ?? '', lateInterest: false })}>{t('editor.addStep')}</Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

/** A value that follows `value` once it has stopped changing for `ms`. */
function useSettled<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function LivePreview({ lang, subject, body }: { lang: Lang; subject: string; body: string }) {
  const { t } = useTranslation('dunning');
  const settled = useSettled({ subject, body });
  const preview = useQuery({
    queryKey: ['dunning', 'preview', lang, settled.subject, settled.body],
    queryFn: () => api.post<{ subject: string; body: string }>('/dunning/templates/preview', { language: lang, subject: settled.subject, body: settled.body }),
    enabled: settled.body.length > 0,
    placeholderData: keepPreviousData,
    retry: false,
  });
  return (
    <Card size="small" title={`${t('templates.preview')} · ${t(`templates.lang.${lang}`)}`} aria-label={`${t('templates.preview')} ${t(`templates.lang.${lang}`)}`} style={{ marginTop: 8 }}>
      {preview.error ? <ErrorAlert error={preview.error} ns="dunning" /> : (
        <>
          <Typography.Text strong data-testid={`preview-subject-${lang}`}>{preview.data?.subject || t('templates.empty')}</Typography.Text>
          <pre className="dunning-preview" data-testid={`preview-body-${lang}`} style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', margin: '8px 0 0' }}>{preview.data?.body ?? ''}</pre>
        </>
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('templates.previewNote')}</Typography.Text>
    </Card>
  );
}

function TemplatesTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation('dunning');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['dunning', 'templates'], queryFn: () => api.get<{ items: Template[] }>('/dunning/templates') });
  const all = query.data?.items ?? [];
  const keys = [...new Set(all.map((x) => x.key))];
  const [key, setKey] = useState('');
  const [texts, setTexts] = useState<Record<Lang, { subject: string; body: string }>>({ 'zh-CN': { subject: '', body: '' }, en: { subject: '', body: '' } });
  const open = (k: string) => {
    setKey(k);
    const of = (lang: Lang) => all.find((x) => x.key === k && x.language === lang);
    setTexts({ 'zh-CN': { subject: of('zh-CN')?.subject ?? '', body: of('zh-CN')?.body ?? '' }, en: { subject: of('en')?.subject ?? '', body: of('en')?.body ?? '' } });
  };
  useEffect(() => {
    if (!key && keys.length) open(keys[0]!);
    // Open the first template once the list has come.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [keys.join(',')]);
  const save = useMutation({
    mutationFn: async () => {
      for (const lang of LANGS) {
        if (texts[lang].body.trim()) await api.put('/dunning/templates', { key, language: lang, subject: texts[lang].subject, body: texts[lang].body }, newIdempotencyKey());
      }
    },
    onSuccess: async () => {
      void message.success(t('templates.saved', { key }));
      await client.invalidateQueries({ queryKey: ['dunning', 'templates'] });
    },
  });
  const set = (lang: Lang, field: 'subject' | 'body', value: string) => setTexts((x) => ({ ...x, [lang]: { ...x[lang], [field]: value } }));
  return (
    <>
      {query.error ? <ErrorAlert error={query.error} ns="dunning" onRetry={() => void query.refetch()} /> : null}
      <Space style={{ marginBottom: 12 }} wrap>
        <Typography.Text>{t('templates.key')}</Typography.Text>
        <Select aria-label={t('templates.key')} style={{ width: 200 }} value={key || undefined} onChange={open} options={keys.map((k) => ({ value: k, label: k }))} />
        {manage ? <Input.Search aria-label={t('templates.newKey')} placeholder={t('templates.keyPlaceholder')} enterButton={t('templates.load')} style={{ width: 260 }} maxLength={64} onSearch={(v) => v.trim() && open(v.trim())} /> : null}
        {manage ? <Button type="primary" onClick={() => save.mutate()} loading={save.isPending} disabled={!key}>{t('templates.save')}</Button> : null}
      </Space>
      {save.error ? <ErrorAlert error={save.error} ns="dunning" /> : null}
      <Row gutter={16}>
        {LANGS.map((lang) => (
          <Col key={lang} xs={24} lg={12}>
            <Card size="small" title={t(`templates.lang.${lang}`)}>
              <Form layout="vertical" component="div">
                <Form.Item label={t('templates.subject')} htmlFor={`subject-${lang}`}>
                  <Input id={`subject-${lang}`} value={texts[lang].subject} onChange={(e) => set(lang, 'subject', e.target.value)} readOnly={!manage} maxLength={500} />
                </Form.Item>
                <Form.Item label={t('templates.body')} htmlFor={`body-${lang}`}>
                  <Input.TextArea id={`body-${lang}`} value={texts[lang].body} onChange={(e) => set(lang, 'body', e.target.value)} readOnly={!manage} autoSize={{ minRows: 6, maxRows: 16 }} />
                </Form.Item>
              </Form>
              <LivePreview lang={lang} subject={texts[lang].subject} body={texts[lang].body} />
            </Card>
          </Col>
        ))}
      </Row>
      <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t('templates.variables')}: <Typography.Text code>{VARIABLES}</Typography.Text></Typography.Paragraph>
    </>
  );
}

function RunTab() {
  const { t, i18n } = useTranslation('dunning');
  const session = useSignedIn();
  const { modal } = AntApp.useApp();
  const client = useQueryClient();
  const today = todayIn(session.company.timeZone);
  const [asOf, setAsOf] = useState(today);
  const run = useMutation({
    mutationFn: (dryRun: boolean) => api.post<RunResult>('/dunning/runs', { asOf, dryRun }, dryRun ? undefined : newIdempotencyKey()),
    onSuccess: async (r) => { if (!r.dryRun) await client.invalidateQueries({ queryKey: ['dunning', 'runs'] }); },
  });
  const r = run.data;
  const columns: TableColumnsType<Rendered> = [
    { title: t('run.columns.customer'), dataIndex: 'customer', width: 200, render: (_: unknown, m) => <Space orientation="vertical" size={0}><Link to={`/customers/${encodeURIComponent(m.customer)}`}>{m.customer}</Link><Typography.Text type="secondary">{m.customerName}</Typography.Text></Space> },
    { title: t('run.columns.step'), dataIndex: 'stepSeq', width: 60, align: 'right' },
    { title: t('run.columns.channel'), dataIndex: 'channel', width: 110, render: (c: string) => <Tag>{t(`channel.${c}`)}</Tag> },
    { title: t('run.columns.to'), dataIndex: 'recipient', width: 180, render: (v: string | null) => v ?? '—' },
    { title: t('run.columns.subject'), dataIndex: 'subject' },
    { title: t('run.columns.total'), key: 'total', width: 160, align: 'right', render: (_: unknown, m) => m.totals.map((x) => `${x.currency} ${x.total}`).join(' · ') },
  ];
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Typography.Text>{t('run.asOf')}</Typography.Text>
        <DatePicker aria-label={t('run.asOf')} value={dayjs(asOf)} format="YYYY-MM-DD" allowClear={false} onChange={(d) => d && setAsOf(d.format('YYYY-MM-DD'))} />
        <Button onClick={() => run.mutate(true)} loading={run.isPending && run.variables === true}>{t('run.preview')}</Button>
        <Button type="primary" danger disabled={asOf > today} loading={run.isPending && run.variables === false}
          onClick={() => modal.confirm({ title: t('run.confirm', { date: formatDate(asOf, i18n.language) }), onOk: () => run.mutateAsync(false) })}>{t('run.runNow')}</Button>
      </Space>
      {run.error ? <ErrorAlert error={run.error} ns="dunning" /> : null}
      {r ? (
        <Card size="small" style={{ marginBottom: 12 }} aria-label="run-summary">
          <Space orientation="vertical" size={4}>
            <Typography.Text strong>{r.dryRun ? t('run.dry') : t('run.written')} · {formatDate(r.asOf, i18n.language)}</Typography.Text>
            <Typography.Text data-testid="run-summary">{r.messages ? t('run.summary', { messages: r.messages, tasks: r.tasks, items: r.items }) : t('run.nothing')}</Typography.Text>
            {r.alreadySent ? <Typography.Text type="secondary">{t('run.alreadySent', { count: r.alreadySent })}</Typography.Text> : null}
            <Space size={[4, 4]} wrap>
              <Typography.Text type="secondary">{t('run.skipped')}:</Typography.Text>
              {Object.entries(r.skipped).filter(([, n]) => n > 0).map(([reason, n]) => <Tag key={reason}>{t(`skip.${reason}`)} {n}</Tag>)}
            </Space>
            {r.feeDocuments.length ? <Typography.Text type="secondary">{t('run.fees', { list: r.feeDocuments.slice(0, 20).join(', ') })}</Typography.Text> : null}
          </Space>
        </Card>
      ) : null}
      {r ? (
        <Table<Rendered> rowKey="key" size="small" columns={columns} dataSource={r.preview} pagination={{ pageSize: 20, showSizeChanger: false }} aria-label={t('tabs.run')} scroll={{ x: 900 }}
          expandable={{ expandedRowRender: (m) => <pre style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', margin: 0 }}>{m.body}</pre> }} />
      ) : null}
    </>
  );
}

function HistoryTab() {
  const { t, i18n } = useTranslation('dunning');
  const session = useSignedIn();
  const { can } = useSession();
  const client = useQueryClient();
  const [runId, setRunId] = useState<string | null>(null);
  const runs = useQuery({ queryKey: ['dunning', 'runs'], queryFn: () => api.get<{ items: Run[] }>('/dunning/runs', { limit: 50 }) });
  const outbox = useQuery({
    queryKey: ['dunning', 'outbox', runId],
    queryFn: () => api.get<{ total: number; rows: Message[] }>('/dunning/outbox', { limit: 200, ...(runId ? { run: runId } : {}) }),
    placeholderData: keepPreviousData,
  });
  const done = useMutation({
    mutationFn: (id: string) => api.post(`/dunning/outbox/${id}/done`, {}, newIdempotencyKey()),
    onSuccess: () => client.invalidateQueries({ queryKey: ['dunning', 'outbox'] }),
  });
  const runColumns: TableColumnsType<Run> = [
    { title: t('history.columns.asOf'), dataIndex: 'asOf', width: 110, render: (d: string) => formatDate(d, i18n.language) },
    { title: t('history.columns.messages'), dataIndex: 'messages', width: 90, align: 'right' },
    { title: t('history.columns.tasks'), dataIndex: 'tasks', width: 80, align: 'right' },
    { title: t('history.columns.items'), dataIndex: 'items', width: 80, align: 'right' },
    { title: t('history.columns.skipped'), dataIndex: 'skipped', width: 90, align: 'right' },
    { title: t('history.columns.fees'), dataIndex: 'fees', width: 90, align: 'right' },
    { title: t('history.columns.by'), dataIndex: 'createdBy', width: 180 },
    { title: t('history.columns.at'), dataIndex: 'createdAt', render: (v: string) => new Date(v).toLocaleString(i18n.language, { timeZone: session.company.timeZone }) },
  ];
  const statusColor: Record<string, string> = { queued: 'default', sending: 'processing', sent: 'green', failed: 'red', bounced: 'red', task: 'blue', done: 'green' };
  const outboxColumns: TableColumnsType<Message> = [
    { title: t('history.outboxColumns.date'), dataIndex: 'asOf', width: 100, render: (d: string) => formatDate(d, i18n.language) },
    { title: t('history.outboxColumns.customer'), dataIndex: 'customer', width: 190, render: (_: unknown, m) => <Space orientation="vertical" size={0}><Link to={`/customers/${encodeURIComponent(m.customer)}`}>{m.customer}</Link><Typography.Text type="secondary">{m.customerName}</Typography.Text></Space> },
    { title: t('history.outboxColumns.step'), dataIndex: 'stepSeq', width: 60, align: 'right' },
    { title: t('history.outboxColumns.channel'), dataIndex: 'channel', width: 110, render: (c: string) => <Tag>{t(`channel.${c}`)}</Tag> },
    { title: t('history.outboxColumns.status'), dataIndex: 'status', width: 100, render: (s: string, m) => <Tag color={statusColor[s]} title={m.error ?? undefined}>{t(`status.${s}`)}</Tag> },
    { title: t('history.outboxColumns.to'), dataIndex: 'recipient', width: 170, render: (v: string | null) => v ?? '—' },
    { title: t('history.outboxColumns.subject'), dataIndex: 'subject' },
    {
      title: '', key: 'actions', width: 130, render: (_: unknown, m) => (
        <Space size={4}>
          {LETTERS.includes(m.channel) ? <a href={apiUrl(`/dunning/outbox/${m.id}/pdf`)} target="_blank" rel="noreferrer">{t('history.letter')}</a> : null}
          {m.status === 'task' && can('collections.record') ? <Button size="small" onClick={() => done.mutate(m.id)} loading={done.isPending && done.variables === m.id}>{t('history.done')}</Button> : null}
        </Space>
      ),
    },
  ];
  const selected = runs.data?.items.find((r) => r.id === runId);
  return (
    <>
      {runs.error ? <ErrorAlert error={runs.error} ns="dunning" onRetry={() => void runs.refetch()} /> : null}
      <Table<Run> rowKey="id" size="small" columns={runColumns} dataSource={runs.data?.items ?? []} loading={runs.isFetching} pagination={false} aria-label={t('tabs.history')}
        locale={{ emptyText: t('history.empty') }} onRow={(r) => ({ onClick: () => setRunId(r.id), style: { cursor: 'pointer', background: r.id === runId ? '#e6f4ff' : undefined } })} scroll={{ x: 900, y: 240 }} />
      <Space style={{ margin: '16px 0 8px' }}>
        <Typography.Title level={5} style={{ margin: 0 }}>{t('history.outbox')}{selected ? ` · ${t('history.ofRun', { date: formatDate(selected.asOf, i18n.language) })}` : ''}</Typography.Title>
        {runId ? <Button size="small" onClick={() => setRunId(null)}>{t('history.allRuns')}</Button> : null}
      </Space>
      {outbox.error ? <ErrorAlert error={outbox.error} ns="dunning" onRetry={() => void outbox.refetch()} /> : null}
      {done.error ? <ErrorAlert error={done.error} ns="dunning" /> : null}
      <Table<Message> rowKey="id" size="small" columns={outboxColumns} dataSource={outbox.data?.rows ?? []} loading={outbox.isFetching} aria-label={t('history.outbox')}
        pagination={{ pageSize: 50, showSizeChanger: false }} scroll={{ x: 1000 }}
        expandable={{ expandedRowRender: (m) => <><pre style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', margin: 0 }}>{m.body}</pre>{m.error ? <Typography.Text type="danger">{t('history.error')}: {m.error} ({t('history.attempts')} {m.attempts})</Typography.Text> : null}</> }} />
    </>
  );
}
