/**
 * Payment plans (分期还款): the plans in scope with their next installment and missed count; make a plan from a
 * customer's overdue items after previewing its installments; a plan's installments with their status, its items,
 * versions and history; cancel a plan (its items go back to dunning).
 */
import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Descriptions, Drawer, Form, Input, InputNumber, Modal, Segmented, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Amount, CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { formatDate } from '../../shared/format.ts';
import type { Installment, InstallmentStatus, Plan, PlanDetail, PlanPage, PlanPreview, PlanStatus } from './types.ts';

export const PLANS_KEY = 'payment-plans';
const STATUS_COLOR: Record<PlanStatus, string> = { active: 'processing', completed: 'success', cancelled: 'default', replaced: 'purple' };
const INSTALLMENT_COLOR: Record<InstallmentStatus, string> = { due: 'default', partly_paid: 'gold', paid: 'success', missed: 'error' };
const AMOUNT = /^\d{1,17}(\.\d{1,4})?$/;
const FILTERS = ['active', 'all', 'completed', 'cancelled', 'replaced'] as const;

export function PlanStatusTag({ status }: { status: PlanStatus }) {
  const { t } = useTranslation('plans');
  return <Tag color={STATUS_COLOR[status]}>{t(`status.${status}`)}</Tag>;
}

function InstallmentTable({ rows, currency, withStatus }: { rows: Installment[]; currency: string; withStatus: boolean }) {
  const { t, i18n } = useTranslation('plans');
  const columns: TableColumnsType<Installment> = [
    { title: t('detail.columns.seq'), dataIndex: 'seq', width: 80, render: (s: number) => (s === 0 ? t('detail.down') : s) },
    { title: t('detail.columns.due'), dataIndex: 'dueDate', width: 120, render: (d: string) => formatDate(d, i18n.language) },
    { title: t('detail.columns.principal'), dataIndex: 'principal', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
    { title: t('detail.columns.interest'), dataIndex: 'interest', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
    { title: t('detail.columns.fee'), dataIndex: 'fee', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
    { title: t('detail.columns.amount'), dataIndex: 'amount', align: 'right', render: (v: string) => <Amount value={v} currency={currency} strong /> },
  ];
  if (withStatus) {
    columns.push(
      { title: t('detail.columns.paid'), dataIndex: 'paid', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
      {
        title: t('detail.columns.status'), dataIndex: 'status', width: 200,
        render: (s: InstallmentStatus, i) => (
          <Space size={4} wrap>
            <Tag color={INSTALLMENT_COLOR[s]}>{t(`installmentStatus.${s}`)}</Tag>
            {i.late ? <Tag>{t('detail.late')}</Tag> : null}
            {s !== 'paid' && (i.daysOverdue ?? 0) > 0 ? <Typography.Text type="danger">{t('detail.daysOverdue', { days: i.daysOverdue })}</Typography.Text> : null}
          </Space>
        ),
      },
    );
  }
  return <Table<Installment> rowKey="seq" size="small" pagination={false} columns={columns} dataSource={rows} aria-label={t('detail.installments')} />;
}

export function PaymentPlansPage() {
  const { t, i18n } = useTranslation('plans');
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const status = (FILTERS as readonly string[]).includes(params.get('status') ?? '') ? params.get('status')! : 'active';
  const customer = params.get('customer') ?? '';
  const showing = params.get('plan');
  const setParam = (name: string, value: string) => setParams((current) => {
    const next = new URLSearchParams(current);
    if (value) next.set(name, value);
    else next.delete(name);
    return next;
  });
  const paging = useCursorPaging(`${status}|${customer}`);
  const query = useQuery({
    queryKey: [PLANS_KEY, 'list', status, customer, paging.cursor],
    queryFn: () => api.get<PlanPage>('/payment-plans', { status, limit: 50, ...(customer ? { customer } : {}), ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  const [creating, setCreating] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const columns: TableColumnsType<Plan> = [
    { title: t('list.columns.number'), dataIndex: 'number', width: 130, render: (n: string, p) => <Button type="link" style={{ padding: 0 }} onClick={() => setParam('plan', p.id)}>{`${n} v${p.version}`}</Button> },
    {
      title: t('list.columns.customer'), dataIndex: 'customer',
      render: (_: unknown, p) => <Space orientation="vertical" size={0}><Link to={`/customers/${encodeURIComponent(p.customer)}`}>{p.customer}</Link><Typography.Text type="secondary">{p.customerName}</Typography.Text></Space>,
    },
    {
      title: t('list.columns.status'), dataIndex: 'status', width: 200,
      render: (s: PlanStatus, p) => <Space size={4} wrap><PlanStatusTag status={s} />{p.defaulted && s === 'active' ? <Tag color="error">{t('list.defaulted', { seq: p.defaulted.seq })}</Tag> : null}</Space>,
    },
    { title: t('list.columns.total'), dataIndex: 'total', align: 'right', render: (v: string, p) => <Amount value={v} currency={p.currency} /> },
    { title: t('list.columns.paid'), dataIndex: 'paid', align: 'right', render: (v: string, p) => <Amount value={v} currency={p.currency} /> },
    { title: t('list.columns.missed'), dataIndex: 'missed', width: 90, align: 'right', render: (n: number) => (n > 0 ? <Typography.Text type="danger">{n}</Typography.Text> : n) },
    { title: t('list.columns.nextDue'), key: 'next', width: 220, render: (_: unknown, p) => (p.nextDue ? <Space size={6}>{formatDate(p.nextDue.dueDate, i18n.language)}<Amount value={p.nextDue.amount} currency={p.currency} /></Space> : '—') },
    { title: t('list.columns.start'), dataIndex: 'startDate', width: 120, render: (d: string) => formatDate(d, i18n.language) },
  ];
  return (
    <>
      <PageTitle title={t('list.title')} extra={(
        <Space>
          {can('company.manage') ? <Button onClick={() => setSettingsOpen(true)}>{t('settings.title')}</Button> : null}
          {can('collections.record') ? <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('list.new')}</Button> : null}
        </Space>
      )} />
      <Typography.Paragraph type="secondary">{t('list.subtitle')}</Typography.Paragraph>
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented aria-label={t('list.status')} value={status} onChange={(v) => setParam('status', String(v))}
            options={FILTERS.map((s) => ({ value: s, label: s === 'all' ? t('list.all') : t(`status.${s}`) }))} />
          <Input.Search aria-label={t('list.customer')} placeholder={t('list.customer')} allowClear defaultValue={customer} style={{ width: 220 }} onSearch={(v) => setParam('customer', v.trim())} />
        </Space>
        {query.error ? <ErrorAlert error={query.error} onRetry={() => void query.refetch()} ns="plans" /> : null}
        <Table<Plan> rowKey="id" size="middle" loading={query.isFetching} pagination={false} columns={columns} dataSource={query.data?.rows ?? []}
          locale={{ emptyText: t('list.empty') }} aria-label={t('list.title')} />
        <Space style={{ marginTop: 12, justifyContent: 'space-between', width: '100%' }}>
          <Typography.Text type="secondary">{t('list.total', { count: query.data?.total ?? 0 })}</Typography.Text>
          <CursorPager paging={paging} nextCursor={query.data?.nextCursor} loading={query.isFetching} />
        </Space>
      </Card>
      <CreatePlanModal open={creating} onClose={() => setCreating(false)} onMade={(p) => { setCreating(false); setParam('plan', p.id); }} />
      <PlanSettingsModal open={settingsOpen} onClose={() => setSettingsOpen(false)} />
      <PlanDrawer id={showing} onClose={() => setParam('plan', '')} onSwitch={(id) => setParam('plan', id)} />
    </>
  );
}

interface Terms { customer: string; downPayment?: string; installments?: number; firstDate?: string; interestRate?: string; fee?: string; startDate?: string; note?: string }

function body(v: Terms) {
  const text = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);
  return {
    customer: v.customer.trim(), downPayment: text(v.downPayment), installments: v.installments ?? undefined, firstDate: text(v.firstDate),
    interestRate: text(v.interestRate), fee: text(v.fee), startDate: text(v.startDate), note: text(v.note),
  };
}

function CreatePlanModal({ open, onClose, onMade }: { open: boolean; onClose: () => void; onMade: (p: PlanDetail) => void }) {
  const { t, i18n } = useTranslation('plans');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Terms>();
  const [key] = useState(newIdempotencyKey());
  const [preview, setPreview] = useState<PlanPreview | null>(null);
  const previewing = useMutation({ mutationFn: (v: Terms) => api.post<PlanPreview>('/payment-plans/preview', body(v)), onSuccess: setPreview, onError: () => setPreview(null) });
  const make = useMutation({
    mutationFn: (v: Terms) => api.post<PlanDetail>('/payment-plans', body(v), key),
    onSuccess: (p) => {
      void message.success(t('create.done', { number: p.number }));
      void client.invalidateQueries({ queryKey: [PLANS_KEY] });
      form.resetFields();
      setPreview(null);
      onMade(p);
    },
  });
  const error = make.error ?? previewing.error;
  return (
    <Modal open={open} title={t('create.title')} width={900} onCancel={onClose} destroyOnHidden
      footer={[
        <Button key="preview" onClick={() => void form.validateFields().then((v) => previewing.mutate(v))} loading={previewing.isPending}>{t('create.preview')}</Button>,
        <Button key="make" type="primary" disabled={!preview} loading={make.isPending} onClick={() => void form.validateFields().then((v) => make.mutate(v))}>{t('create.submit')}</Button>,
      ]}>
      <Typography.Paragraph type="secondary">{t('create.hint')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onValuesChange={() => setPreview(null)} initialValues={{ installments: 3 }}>
        <Space wrap size="middle" align="start">
          <Form.Item name="customer" label={t('create.customer')} rules={[{ required: true, message: t('errors.required') }]}><Input style={{ width: 160 }} maxLength={100} /></Form.Item>
          <Form.Item name="downPayment" label={t('create.downPayment')} rules={[{ pattern: AMOUNT, message: t('errors.amount') }]}><Input style={{ width: 140 }} maxLength={20} /></Form.Item>
          <Form.Item name="installments" label={t('create.installments')} rules={[{ required: true, message: t('errors.required') }]}><InputNumber min={1} max={60} style={{ width: 100 }} /></Form.Item>
          <Form.Item name="firstDate" label={t('create.firstDate')} rules={[{ required: true, message: t('errors.required') }]}><Input type="date" style={{ width: 160 }} /></Form.Item>
          <Form.Item name="interestRate" label={t('create.interestRate')} rules={[{ pattern: /^\d{1,3}(\.\d{1,2})?$/, message: t('errors.amount') }]}><Input style={{ width: 110 }} maxLength={6} /></Form.Item>
          <Form.Item name="fee" label={t('create.fee')} rules={[{ pattern: AMOUNT, message: t('errors.amount') }]}><Input style={{ width: 120 }} maxLength={20} /></Form.Item>
          <Form.Item name="startDate" label={t('create.startDate')}><Input type="date" style={{ width: 160 }} /></Form.Item>
        </Space>
        <Form.Item name="note" label={t('create.note')}><Input.TextArea rows={1} maxLength={1000} /></Form.Item>
      </Form>
      {error ? <Alert type="error" showIcon title={(error as Error).message} style={{ marginBottom: 12 }} /> : null}
      {preview ? (
        <>
          <Typography.Title level={5}>{t('create.items')}</Typography.Title>
          <Typography.Paragraph>
            {preview.items.map((i) => `${i.document}${i.installment > 1 ? ` #${i.installment}` : ''} (${formatDate(i.dueDate, i18n.language)}) ${i.open}`).join(' · ')}
          </Typography.Paragraph>
          <Descriptions size="small" column={5} items={[
            { key: 'p', label: t('create.principal'), children: <Amount value={preview.principal} currency={preview.currency} /> },
            { key: 'd', label: t('create.downPayment'), children: <Amount value={preview.downPayment} currency={preview.currency} /> },
            { key: 'i', label: t('create.interest'), children: <Amount value={preview.interest} currency={preview.currency} /> },
            { key: 'f', label: t('create.fee'), children: <Amount value={preview.fee} currency={preview.currency} /> },
            { key: 't', label: t('create.total'), children: <Amount value={preview.total} currency={preview.currency} strong /> },
          ]} />
          <InstallmentTable rows={preview.installments} currency={preview.currency} withStatus={false} />
        </>
      ) : null}
    </Modal>
  );
}

export function PlanDrawer({ id, onClose, onSwitch }: { id: string | null; onClose: () => void; onSwitch?: (id: string) => void }) {
  const { t, i18n } = useTranslation('plans');
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const query = useQuery({ queryKey: [PLANS_KEY, 'detail', id], queryFn: () => api.get<PlanDetail>(`/payment-plans/${id}`), enabled: id !== null && id !== '' });
  const [cancelling, setCancelling] = useState(false);
  const [renegotiating, setRenegotiating] = useState(false);
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(newIdempotencyKey());
  const cancel = useMutation({
    mutationFn: () => api.post<PlanDetail>(`/payment-plans/${id}/cancel`, { reason: reason.trim() }, key),
    onSuccess: () => { void message.success(t('detail.cancelled')); void client.invalidateQueries({ queryKey: [PLANS_KEY] }); setCancelling(false); setReason(''); setKey(newIdempotencyKey()); },
  });
  const p = query.data;
  return (
    <Drawer open={id !== null && id !== ''} onClose={onClose} size="large" width={960} title={p ? t('detail.title', { number: p.number, version: p.version }) : ''}
      extra={p && p.status === 'active' && can('collections.record') ? (
        <Space>
          <Button onClick={() => setRenegotiating(true)}>{t('detail.renegotiate')}</Button>
          <Button danger onClick={() => setCancelling(true)}>{t('detail.cancel')}</Button>
        </Space>
      ) : null}>
      {query.error ? <ErrorAlert error={query.error} ns="plans" /> : null}
      {p ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Descriptions size="small" column={3} items={[
            { key: 'c', label: t('list.columns.customer'), children: <Link to={`/customers/${encodeURIComponent(p.customer)}`}>{`${p.customer} ${p.customerName}`}</Link> },
            { key: 's', label: t('list.columns.status'), children: <PlanStatusTag status={p.status} /> },
            { key: 'a', label: t('detail.asOf', { date: formatDate(p.asOf, i18n.language) }), children: t('detail.grace', { days: p.graceDays }) },
            { key: 'p', label: t('create.principal'), children: <Amount value={p.principal} currency={p.currency} /> },
            { key: 'i', label: `${t('create.interest')} (${p.interestRate}%)`, children: <Amount value={p.interest} currency={p.currency} /> },
            { key: 'f', label: t('create.fee'), children: <Amount value={p.fee} currency={p.currency} /> },
            { key: 't', label: t('create.total'), children: <Amount value={p.total} currency={p.currency} strong /> },
            { key: 'pd', label: t('list.columns.paid'), children: <Amount value={p.paid} currency={p.currency} /> },
            { key: 'ch', label: t('detail.columns.document'), children: p.chargeDocument ? t('detail.charge', { document: p.chargeDocument }) : '—' },
          ]} />
          {p.endReason ? <Alert type="info" showIcon title={`${formatDate(p.endedOn, i18n.language)}: ${p.endReason}`} /> : null}
          <div><Typography.Title level={5}>{t('detail.installments')}</Typography.Title><InstallmentTable rows={p.installments} currency={p.currency} withStatus /></div>
          <div>
            <Typography.Title level={5}>{t('detail.items')}</Typography.Title>
            <Table rowKey={(i) => `${i.document}#${i.installment}`} size="small" pagination={false} dataSource={p.items} columns={[
              { title: t('detail.columns.document'), dataIndex: 'document' },
              { title: t('detail.columns.due'), dataIndex: 'dueDate', render: (d: string | null) => formatDate(d, i18n.language) },
              { title: t('detail.columns.openAtPlan'), dataIndex: 'openAtPlan', align: 'right', render: (v: string) => <Amount value={v} currency={p.currency} /> },
              { title: t('detail.columns.openNow'), dataIndex: 'openNow', align: 'right', render: (v: string) => <Amount value={v} currency={p.currency} /> },
            ]} />
          </div>
          <div>
            <Typography.Title level={5}>{t('detail.history')}</Typography.Title>
            <Table rowKey={(e) => `${e.at}${e.event}`} size="small" pagination={false} dataSource={p.events} columns={[
              { title: t('detail.columns.on'), dataIndex: 'onDate', width: 120, render: (d: string) => formatDate(d, i18n.language) },
              { title: t('detail.columns.version'), dataIndex: 'version', width: 80, render: (v: number) => `v${v}` },
              { title: t('detail.columns.event'), dataIndex: 'event', width: 130 },
              { title: t('detail.columns.by'), dataIndex: 'actor', width: 180 },
              { title: t('detail.columns.note'), dataIndex: 'note' },
            ]} />
          </div>
        </Space>
      ) : null}
      <Modal open={cancelling} title={t('detail.cancelTitle')} onCancel={() => setCancelling(false)} okButtonProps={{ danger: true, disabled: reason.trim().length < 3 }}
        confirmLoading={cancel.isPending} onOk={() => cancel.mutate()} okText={t('detail.cancel')}>
        <Input.TextArea aria-label={t('detail.reason')} placeholder={t('detail.reasonRequired')} rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        {cancel.error ? <Alert type="error" showIcon title={(cancel.error as Error).message} style={{ marginTop: 12 }} /> : null}
      </Modal>
      {p ? <RenegotiateModal plan={p} open={renegotiating} onClose={() => setRenegotiating(false)} onDone={(next) => onSwitch?.(next.id)} /> : null}
    </Drawer>
  );
}

/** Replace the active version by the next one over what is still open, with new terms and a reason. */
function RenegotiateModal({ plan, open, onClose, onDone }: { plan: PlanDetail; open: boolean; onClose: () => void; onDone: (p: PlanDetail) => void }) {
  const { t } = useTranslation('plans');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Omit<Terms, 'customer'> & { reason: string }>();
  const [key, setKey] = useState(newIdempotencyKey());
  const submit = useMutation({
    mutationFn: (v: Omit<Terms, 'customer'> & { reason: string }) => {
      const { customer: _c, ...terms } = body({ ...v, customer: plan.customer });
      return api.post<PlanDetail>(`/payment-plans/${plan.id}/renegotiate`, { ...terms, reason: v.reason.trim() }, key);
    },
    onSuccess: (p) => {
      void message.success(t('detail.renegotiated', { number: p.number, version: p.version }));
      void client.invalidateQueries({ queryKey: [PLANS_KEY] });
      setKey(newIdempotencyKey());
      onClose();
      onDone(p);
    },
  });
  return (
    <Modal open={open} title={t('detail.renegotiateTitle', { number: plan.number })} width={760} onCancel={onClose} confirmLoading={submit.isPending} destroyOnHidden
      okText={t('detail.renegotiate')} onOk={() => void form.validateFields().then((v) => submit.mutate(v))}>
      <Typography.Paragraph type="secondary">{t('detail.renegotiateHint', { outstanding: plan.outstanding, currency: plan.currency })}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ installments: Math.max(1, plan.installments.filter((i) => i.status !== 'paid' && i.seq > 0).length) }}>
        <Space wrap size="middle" align="start">
          <Form.Item name="downPayment" label={t('create.downPayment')} rules={[{ pattern: AMOUNT, message: t('errors.amount') }]}><Input style={{ width: 140 }} maxLength={20} /></Form.Item>
          <Form.Item name="installments" label={t('create.installments')} rules={[{ required: true, message: t('errors.required') }]}><InputNumber min={1} max={60} style={{ width: 100 }} /></Form.Item>
          <Form.Item name="firstDate" label={t('create.firstDate')} rules={[{ required: true, message: t('errors.required') }]}><Input type="date" style={{ width: 160 }} /></Form.Item>
          <Form.Item name="interestRate" label={t('create.interestRate')} rules={[{ pattern: /^\d{1,3}(\.\d{1,2})?$/, message: t('errors.amount') }]}><Input style={{ width: 110 }} maxLength={6} /></Form.Item>
          <Form.Item name="fee" label={t('create.fee')} rules={[{ pattern: AMOUNT, message: t('errors.amount') }]}><Input style={{ width: 120 }} maxLength={20} /></Form.Item>
        </Space>
        <Form.Item name="reason" label={t('detail.reason')} rules={[{ required: true, min: 3, message: t('detail.reasonRequired') }]}><Input.TextArea rows={2} maxLength={500} /></Form.Item>
      </Form>
      {submit.error ? <Alert type="error" showIcon title={(submit.error as Error).message} /> : null}
    </Modal>
  );
}

/** The company's plan settings: grace days, and the days unpaid after which a plan is cancelled by itself. */
function PlanSettingsModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation('plans');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ graceDays: number; autoCancelDays: number | null }>();
  const query = useQuery({ queryKey: [PLANS_KEY, 'settings'], queryFn: () => api.get<{ graceDays: number; autoCancelDays: number | null }>('/payment-plans/settings'), enabled: open });
  const [key, setKey] = useState(newIdempotencyKey());
  const save = useMutation({
    mutationFn: (v: { graceDays: number; autoCancelDays: number | null }) => api.put('/payment-plans/settings', { graceDays: v.graceDays, autoCancelDays: v.autoCancelDays ?? null }, key),
    onSuccess: () => { void message.success(t('settings.saved')); void client.invalidateQueries({ queryKey: [PLANS_KEY] }); setKey(newIdempotencyKey()); onClose(); },
  });
  return (
    <Modal open={open} title={t('settings.title')} onCancel={onClose} confirmLoading={save.isPending} destroyOnHidden onOk={() => void form.validateFields().then((v) => save.mutate(v))}>
      {query.data ? (
        <Form form={form} layout="vertical" initialValues={query.data}>
          <Form.Item name="graceDays" label={t('settings.graceDays')} rules={[{ required: true, message: t('errors.required') }]}><InputNumber min={0} max={60} /></Form.Item>
          <Form.Item name="autoCancelDays" label={t('settings.autoCancelDays')} extra={t('settings.autoCancelHint')}><InputNumber min={1} max={365} /></Form.Item>
        </Form>
      ) : null}
      {save.error ? <Alert type="error" showIcon title={(save.error as Error).message} /> : null}
    </Modal>
  );
}
