/**
 * Agencies & legal (委外与诉讼): the cases (items handed over to a collection agency or to legal action) with what was
 * recovered, the commission, costs and net; hand a customer's items over; record a recovery (a payment posted and
 * applied to the case's items); move a case on; see a case's items, recoveries and history. The agencies tab lists
 * the agencies and law firms with their commission rates.
 */
import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Descriptions, Drawer, Form, Input, Modal, Segmented, Select, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatDate } from '../../shared/format.ts';
import type { Agency, Case, CaseDetail, CasePage, CaseStatus } from './types.ts';

export const CASES_KEY = 'escalations';
const AMOUNT = /^\d{1,17}(\.\d{1,4})?$/;
const STATUS_COLOR: Record<CaseStatus, string> = { open: 'blue', in_progress: 'processing', closed_recovered: 'success', closed_partly: 'gold', closed_unrecoverable: 'default' };
const FILTERS = ['active', 'closed', 'all'] as const;

export function CaseStatusTag({ status }: { status: CaseStatus }) {
  const { t } = useTranslation('plans');
  return <Tag color={STATUS_COLOR[status]}>{t(`cases.status.${status}`)}</Tag>;
}

export function EscalationsPage() {
  const { t } = useTranslation('plans');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'agencies' ? 'agencies' : 'cases';
  return (
    <>
      <PageTitle title={t('cases.title')} />
      <Typography.Paragraph type="secondary">{t('cases.subtitle')}</Typography.Paragraph>
      <Tabs activeKey={tab} onChange={(k) => setParams((p) => { const n = new URLSearchParams(p); n.set('tab', k); return n; })}
        items={[{ key: 'cases', label: t('cases.tabCases'), children: <CasesTab /> }, { key: 'agencies', label: t('cases.tabAgencies'), children: <AgenciesTab /> }]} />
    </>
  );
}

function CasesTab() {
  const { t } = useTranslation('plans');
  const { can } = useSession();
  const [status, setStatus] = useState<string>('active');
  const query = useQuery({ queryKey: [CASES_KEY, 'cases', status], queryFn: () => api.get<CasePage>('/escalations/cases', { status, limit: 200 }), placeholderData: keepPreviousData });
  const [opening, setOpening] = useState(false);
  const [recovering, setRecovering] = useState<Case | null>(null);
  const [moving, setMoving] = useState<Case | null>(null);
  const [showing, setShowing] = useState<string | null>(null);
  const manage = can('escalations.manage');
  const money = (v: string, c: Case) => <Amount value={v} currency={c.currency} />;
  const columns: TableColumnsType<Case> = [
    { title: t('cases.columns.number'), dataIndex: 'number', width: 110, render: (n: string, c) => <Button type="link" style={{ padding: 0 }} onClick={() => setShowing(c.id)}>{n}</Button> },
    { title: t('cases.columns.customer'), dataIndex: 'customer', render: (_: unknown, c) => <Space orientation="vertical" size={0}><Link to={`/customers/${encodeURIComponent(c.customer)}`}>{c.customer}</Link><Typography.Text type="secondary">{c.customerName}</Typography.Text></Space> },
    { title: t('cases.columns.agency'), key: 'agency', render: (_: unknown, c) => <Space orientation="vertical" size={0}><Tag color={c.kind === 'legal' ? 'volcano' : 'purple'}>{t(`cases.kind.${c.kind}`)}</Tag>{c.agencyName ?? c.lawyer ?? ''}</Space> },
    { title: t('cases.columns.status'), dataIndex: 'status', width: 130, render: (s: CaseStatus) => <CaseStatusTag status={s} /> },
    { title: t('cases.columns.handedOver'), dataIndex: 'handedOver', align: 'right', render: money },
    { title: t('cases.columns.recovered'), dataIndex: 'recovered', align: 'right', render: money },
    { title: t('cases.columns.commission'), dataIndex: 'commission', align: 'right', render: money },
    { title: t('cases.columns.net'), dataIndex: 'net', align: 'right', render: money },
    { title: t('cases.columns.openNow'), dataIndex: 'openNow', align: 'right', render: money },
    {
      title: t('cases.columns.actions'), key: 'actions', width: 200, fixed: 'right',
      render: (_: unknown, c) => (manage && (c.status === 'open' || c.status === 'in_progress') ? (
        <Space size={4}>
          <Button size="small" onClick={() => setRecovering(c)} aria-label={`${t('cases.recover')} ${c.number}`}>{t('cases.recover')}</Button>
          <Button size="small" onClick={() => setMoving(c)}>{t('cases.move')}</Button>
        </Space>
      ) : null),
    },
  ];
  return (
    <Card>
      <Space wrap style={{ marginBottom: 12, justifyContent: 'space-between', width: '100%' }}>
        <Segmented value={status} onChange={(v) => setStatus(String(v))} options={FILTERS.map((s) => ({ value: s, label: t(`cases.status.${s}`) }))} />
        {manage ? <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpening(true)}>{t('cases.new')}</Button> : null}
      </Space>
      {query.error ? <ErrorAlert error={query.error} onRetry={() => void query.refetch()} ns="plans" /> : null}
      <Table<Case> rowKey="id" size="middle" loading={query.isFetching} pagination={false} columns={columns} dataSource={query.data?.rows ?? []} locale={{ emptyText: t('cases.empty') }}
        aria-label={t('cases.tabCases')} scroll={{ x: 1200 }} />
      <Typography.Text type="secondary">{t('cases.total', { count: query.data?.total ?? 0 })}</Typography.Text>
      <OpenCaseModal open={opening} onClose={() => setOpening(false)} />
      <RecoveryModal target={recovering} onClose={() => setRecovering(null)} />
      <MoveModal target={moving} onClose={() => setMoving(null)} />
      <CaseDrawer id={showing} onClose={() => setShowing(null)} />
    </Card>
  );
}

function useAgencies() {
  return useQuery({ queryKey: [CASES_KEY, 'agencies'], queryFn: () => api.get<{ rows: Agency[] }>('/escalations/agencies') });
}

function OpenCaseModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation('plans');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const kind = Form.useWatch('kind', form) as 'agency' | 'legal' | undefined;
  const agencies = useAgencies();
  const [key] = useState(newIdempotencyKey());
  const submit = useMutation({
    mutationFn: (v: { customer: string; kind: 'agency' | 'legal'; agency?: string; lawyer?: string; commissionRate?: string; documents?: string; note?: string }) => api.post<Case>('/escalations/cases', {
      customer: v.customer.trim(), kind: v.kind, ...(v.agency ? { agency: v.agency } : {}), ...(v.lawyer?.trim() ? { lawyer: v.lawyer.trim() } : {}),
      ...(v.commissionRate?.trim() ? { commissionRate: v.commissionRate.trim() } : {}),
      ...(v.documents?.trim() ? { documents: v.documents.split(/[,，\s]+/).map((d) => d.trim()).filter(Boolean) } : {}), ...(v.note?.trim() ? { note: v.note.trim() } : {}),
    }, key),
    onSuccess: (c) => { void message.success(t('cases.open.done', { number: c.number, amount: `${c.handedOver} ${c.currency}` })); void client.invalidateQueries({ queryKey: [CASES_KEY] }); form.resetFields(); onClose(); },
  });
  return (
    <Modal open={open} title={t('cases.open.title')} width={640} onCancel={onClose} okText={t('cases.open.submit')} confirmLoading={submit.isPending} destroyOnHidden
      onOk={() => void form.validateFields().then((v) => submit.mutate(v))}>
      <Form form={form} layout="vertical" initialValues={{ kind: 'agency' }}>
        <Space wrap size="middle" align="start">
          <Form.Item name="customer" label={t('cases.open.customer')} rules={[{ required: true, message: t('errors.required') }]}><Input style={{ width: 180 }} maxLength={100} /></Form.Item>
          <Form.Item name="kind" label={t('cases.open.kind')}><Select style={{ width: 160 }} options={(['agency', 'legal'] as const).map((k) => ({ value: k, label: t(`cases.kind.${k}`) }))} /></Form.Item>
          <Form.Item name="agency" label={t('cases.open.agency')} rules={kind === 'agency' ? [{ required: true, message: t('errors.required') }] : []}>
            <Select style={{ width: 220 }} allowClear options={(agencies.data?.rows ?? []).filter((a) => kind === 'legal' || a.kind === 'agency').map((a) => ({ value: a.code, label: `${a.name} (${a.commissionRate}%)` }))} />
          </Form.Item>
          {kind === 'legal' ? <Form.Item name="lawyer" label={t('cases.open.lawyer')}><Input style={{ width: 180 }} maxLength={200} /></Form.Item> : null}
          <Form.Item name="commissionRate" label={t('cases.open.commission')}><Input style={{ width: 110 }} maxLength={6} /></Form.Item>
        </Space>
        <Form.Item name="documents" label={t('cases.open.documents')}><Input maxLength={2000} /></Form.Item>
        <Form.Item name="note" label={t('cases.open.note')}><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
      </Form>
      {submit.error ? <Alert type="error" showIcon title={(submit.error as Error).message} /> : null}
    </Modal>
  );
}

function RecoveryModal({ target, onClose }: { target: Case | null; onClose: () => void }) {
  const { t } = useTranslation('plans');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const [key, setKey] = useState(newIdempotencyKey());
  const submit = useMutation({
    mutationFn: (v: { amount: string; date?: string; reference?: string; note?: string }) => api.post<{ case: Case; recovery: { amount: string; payment: string; commission: string } }>(`/escalations/cases/${target!.id}/recoveries`, {
      amount: v.amount.trim(), ...(v.date ? { date: v.date } : {}), ...(v.reference?.trim() ? { reference: v.reference.trim() } : {}), ...(v.note?.trim() ? { note: v.note.trim() } : {}),
    }, key),
    onSuccess: (r) => {
      void message.success(t('cases.recovery.done', { amount: r.recovery.amount, payment: r.recovery.payment, commission: r.recovery.commission }));
      void client.invalidateQueries({ queryKey: [CASES_KEY] });
      form.resetFields();
      setKey(newIdempotencyKey());
      onClose();
    },
  });
  return (
    <Modal open={target !== null} title={target ? t('cases.recovery.title', { number: target.number }) : ''} onCancel={onClose} okText={t('cases.recovery.submit')} confirmLoading={submit.isPending} destroyOnHidden
      onOk={() => void form.validateFields().then((v) => submit.mutate(v))}>
      {target ? <Typography.Paragraph type="secondary">{t('cases.recovery.hint', { open: `${target.openNow} ${target.currency}` })}</Typography.Paragraph> : null}
      <Form form={form} layout="vertical">
        <Form.Item name="amount" label={t('cases.recovery.amount')} rules={[{ required: true, pattern: AMOUNT, message: t('errors.amount') }]}><Input maxLength={20} /></Form.Item>
        <Form.Item name="date" label={t('cases.recovery.date')}><Input type="date" /></Form.Item>
        <Form.Item name="reference" label={t('cases.recovery.reference')}><Input maxLength={200} /></Form.Item>
        <Form.Item name="note" label={t('cases.recovery.note')}><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
      </Form>
      {submit.error ? <Alert type="error" showIcon title={(submit.error as Error).message} /> : null}
    </Modal>
  );
}

function MoveModal({ target, onClose }: { target: Case | null; onClose: () => void }) {
  const { t } = useTranslation('plans');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const [key] = useState(newIdempotencyKey());
  const submit = useMutation({
    mutationFn: (v: { to: CaseStatus; note?: string }) => api.post<Case>(`/escalations/cases/${target!.id}/transition`, { to: v.to, ...(v.note?.trim() ? { note: v.note.trim() } : {}) }, key),
    onSuccess: (c) => { void message.success(t('cases.transition.done', { status: t(`cases.status.${c.status}`) })); void client.invalidateQueries({ queryKey: [CASES_KEY] }); onClose(); },
  });
  return (
    <Modal open={target !== null} title={target ? t('cases.transition.title', { number: target.number }) : ''} onCancel={onClose} okText={t('cases.transition.submit')} confirmLoading={submit.isPending} destroyOnHidden
      onOk={() => void form.validateFields().then((v) => submit.mutate(v))}>
      <Form form={form} layout="vertical">
        <Form.Item name="to" label={t('cases.transition.to')} rules={[{ required: true, message: t('errors.required') }]}>
          <Select options={(target?.allowedTransitions ?? []).map((s) => ({ value: s, label: t(`cases.status.${s}`) }))} />
        </Form.Item>
        <Form.Item name="note" label={t('cases.transition.note')}><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
      </Form>
      {submit.error ? <Alert type="error" showIcon title={(submit.error as Error).message} /> : null}
    </Modal>
  );
}

function CaseDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, i18n } = useTranslation('plans');
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const query = useQuery({ queryKey: [CASES_KEY, 'detail', id], queryFn: () => api.get<CaseDetail>(`/escalations/cases/${id}`), enabled: id !== null });
  const c = query.data;
  const money = (v: string) => (c ? <Amount value={v} currency={c.currency} /> : null);
  const [costing, setCosting] = useState(false);
  const [form] = Form.useForm();
  const [key, setKey] = useState(newIdempotencyKey());
  const cost = useMutation({
    mutationFn: (v: { amount: string; description: string; date?: string }) => api.post<Case>(`/escalations/cases/${id}/costs`, { amount: v.amount.trim(), description: v.description.trim(), ...(v.date ? { date: v.date } : {}) }, key),
    onSuccess: () => { void message.success(t('cases.cost.done')); void client.invalidateQueries({ queryKey: [CASES_KEY] }); form.resetFields(); setKey(newIdempotencyKey()); setCosting(false); },
  });
  return (
    <Drawer open={id !== null} onClose={onClose} size="large" title={c ? `${c.number} · ${c.customer} ${c.customerName}` : ''}
      extra={c && can('escalations.manage') ? <Button onClick={() => setCosting(true)}>{t('cases.cost.add')}</Button> : null}>
      <Modal open={costing} title={t('cases.cost.add')} onCancel={() => setCosting(false)} confirmLoading={cost.isPending} destroyOnHidden onOk={() => void form.validateFields().then((v) => cost.mutate(v))}>
        <Form form={form} layout="vertical">
          <Form.Item name="amount" label={t('cases.cost.amount')} rules={[{ required: true, pattern: AMOUNT, message: t('errors.amount') }]}><Input maxLength={20} /></Form.Item>
          <Form.Item name="description" label={t('cases.cost.description')} rules={[{ required: true, min: 3, message: t('errors.required') }]}><Input maxLength={500} /></Form.Item>
          <Form.Item name="date" label={t('cases.recovery.date')}><Input type="date" /></Form.Item>
        </Form>
        {cost.error ? <Alert type="error" showIcon title={(cost.error as Error).message} /> : null}
      </Modal>
      {query.error ? <ErrorAlert error={query.error} ns="plans" /> : null}
      {c ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Descriptions size="small" column={3} items={[
            { key: 'k', label: t('cases.columns.kind'), children: `${t(`cases.kind.${c.kind}`)} · ${c.agencyName ?? c.lawyer ?? ''}` },
            { key: 's', label: t('cases.columns.status'), children: <CaseStatusTag status={c.status} /> },
            { key: 'r', label: t('cases.detail.rate', { rate: c.commissionRate }), children: formatDate(c.openedOn, i18n.language) },
            { key: 'h', label: t('cases.columns.handedOver'), children: money(c.handedOver) },
            { key: 'rc', label: t('cases.columns.recovered'), children: money(c.recovered) },
            { key: 'cm', label: t('cases.columns.commission'), children: money(c.commission) },
            { key: 'co', label: t('cases.columns.costs'), children: money(c.costs) },
            { key: 'n', label: t('cases.columns.net'), children: money(c.net) },
            { key: 'o', label: t('cases.columns.openNow'), children: money(c.openNow) },
          ]} />
          <div>
            <Typography.Title level={5}>{t('cases.detail.recoveries')}</Typography.Title>
            <Table rowKey="id" size="small" pagination={false} dataSource={c.recoveries} columns={[
              { title: t('cases.recovery.date'), dataIndex: 'date', render: (d: string) => formatDate(d, i18n.language) },
              { title: t('cases.recovery.amount'), dataIndex: 'amount', align: 'right', render: money },
              { title: t('cases.columns.commission'), dataIndex: 'commission', align: 'right', render: money },
              { title: t('cases.detail.payment'), dataIndex: 'payment' },
              { title: t('cases.recovery.reference'), dataIndex: 'reference' },
            ]} />
          </div>
          {c.costEntries.length ? (
            <div>
              <Typography.Title level={5}>{t('cases.detail.costs')}</Typography.Title>
              <Table rowKey={(k) => `${k.date}${k.description}${k.amount}`} size="small" pagination={false} dataSource={c.costEntries} columns={[
                { title: t('cases.recovery.date'), dataIndex: 'date', render: (d: string) => formatDate(d, i18n.language) },
                { title: t('cases.cost.amount'), dataIndex: 'amount', align: 'right', render: money },
                { title: t('cases.cost.description'), dataIndex: 'description' },
                { title: t('detail.columns.by'), dataIndex: 'recordedBy' },
              ]} />
            </div>
          ) : null}
          <div>
            <Typography.Title level={5}>{t('cases.detail.items')}</Typography.Title>
            <Table rowKey={(i) => `${i.document}#${i.installment}`} size="small" pagination={false} dataSource={c.items} columns={[
              { title: t('detail.columns.document'), dataIndex: 'document' },
              { title: t('detail.columns.due'), dataIndex: 'dueDate', render: (d: string | null) => formatDate(d, i18n.language) },
              { title: t('cases.columns.handedOver'), dataIndex: 'handedOver', align: 'right', render: money },
              { title: t('cases.columns.openNow'), dataIndex: 'openNow', align: 'right', render: money },
            ]} />
          </div>
          <div>
            <Typography.Title level={5}>{t('cases.detail.history')}</Typography.Title>
            <Table rowKey={(e) => `${e.at}${e.event}${e.to}`} size="small" pagination={false} dataSource={c.events} columns={[
              { title: t('detail.columns.on'), dataIndex: 'at', width: 120, render: (a: string) => formatDate(a.slice(0, 10), i18n.language) },
              { title: t('detail.columns.event'), dataIndex: 'event', width: 110 },
              { title: t('cases.transition.to'), dataIndex: 'to', width: 150, render: (s: CaseStatus) => <CaseStatusTag status={s} /> },
              { title: t('detail.columns.by'), dataIndex: 'actor', width: 170 },
              { title: t('detail.columns.note'), dataIndex: 'note' },
            ]} />
          </div>
        </Space>
      ) : null}
    </Drawer>
  );
}

function AgenciesTab() {
  const { t } = useTranslation('plans');
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const agencies = useAgencies();
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm();
  const [key, setKey] = useState(newIdempotencyKey());
  const save = useMutation({
    mutationFn: (v: { code: string; name: string; kind: 'agency' | 'law_firm'; commissionRate: string; contact?: string; phone?: string; email?: string }) => api.post<Agency>('/escalations/agencies', {
      code: v.code.trim(), name: v.name.trim(), kind: v.kind, commissionRate: v.commissionRate.trim(), ...(v.contact?.trim() ? { contact: v.contact.trim() } : {}),
      ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}), ...(v.email?.trim() ? { email: v.email.trim() } : {}),
    }, key),
    onSuccess: (a) => { void message.success(t('agencies.saved', { code: a.code })); void client.invalidateQueries({ queryKey: [CASES_KEY] }); form.resetFields(); setKey(newIdempotencyKey()); setAdding(false); },
  });
  return (
    <Card extra={can('escalations.manage') ? <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>{t('agencies.add')}</Button> : null}>
      {agencies.error ? <ErrorAlert error={agencies.error} ns="plans" /> : null}
      <Table<Agency> rowKey="id" size="middle" loading={agencies.isFetching} pagination={false} dataSource={agencies.data?.rows ?? []} aria-label={t('cases.tabAgencies')} columns={[
        { title: t('agencies.code'), dataIndex: 'code', width: 100 },
        { title: t('agencies.name'), dataIndex: 'name' },
        { title: t('agencies.kind'), dataIndex: 'kind', render: (k: string) => t(`agencies.kinds.${k}`) },
        { title: t('agencies.commission'), dataIndex: 'commissionRate', align: 'right' },
        { title: t('agencies.contact'), key: 'contact', render: (_: unknown, a) => [a.contact, a.phone, a.email].filter(Boolean).join(' · ') },
        { title: t('agencies.openCases'), dataIndex: 'openCases', align: 'right' },
      ]} />
      <Modal open={adding} title={t('agencies.add')} onCancel={() => setAdding(false)} confirmLoading={save.isPending} destroyOnHidden onOk={() => void form.validateFields().then((v) => save.mutate(v))}>
        <Form form={form} layout="vertical" initialValues={{ kind: 'agency' }}>
          <Form.Item name="code" label={t('agencies.code')} rules={[{ required: true, message: t('errors.required') }]}><Input maxLength={50} /></Form.Item>
          <Form.Item name="name" label={t('agencies.name')} rules={[{ required: true, message: t('errors.required') }]}><Input maxLength={200} /></Form.Item>
          <Form.Item name="kind" label={t('agencies.kind')}><Select options={(['agency', 'law_firm'] as const).map((k) => ({ value: k, label: t(`agencies.kinds.${k}`) }))} /></Form.Item>
          <Form.Item name="commissionRate" label={t('agencies.commission')} rules={[{ required: true, pattern: /^\d{1,3}(\.\d{1,2})?$/, message: t('errors.amount') }]}><Input maxLength={6} /></Form.Item>
          <Form.Item name="contact" label={t('agencies.contact')}><Input maxLength={200} /></Form.Item>
          <Form.Item name="phone" label={t('agencies.phone')}><Input maxLength={50} /></Form.Item>
          <Form.Item name="email" label={t('agencies.email')}><Input maxLength={200} /></Form.Item>
        </Form>
        {save.error ? <Alert type="error" showIcon title={(save.error as Error).message} /> : null}
      </Modal>
    </Card>
  );
}
