/**
 * The customer's collections card: the summary (open and broken promises, active disputes, next follow-up), the
 * timeline of calls, promises and disputes newest first, and the forms to log a call, record a promise to pay and
 * raise a dispute.
 */
import { useEffect, useState } from 'react';
import { App as AntApp, Alert, Button, Card, DatePicker, Empty, Form, Input, InputNumber, Modal, Select, Space, Statistic, Tag, Timeline, Typography } from 'antd';
import { ExclamationCircleOutlined, PhoneOutlined, ScheduleOutlined } from '@ant-design/icons';
import type dayjs from 'dayjs';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ErrorAlert } from '../../shared/components.tsx';
import { formatAmount, formatDate } from '../../shared/format.ts';
import { DisputeDrawer, DisputeStatusTag, RaiseDisputeModal } from './DisputeParts.tsx';
import { CustomerPlans } from '../plans/CustomerPlans.tsx';
import { ACTIVITY_CHANNELS, ACTIVITY_OUTCOMES, type Activity, type PromiseToPay, type Timeline as TimelineData, type TimelineEntry } from './types.ts';

const PROMISE_COLOUR: Record<PromiseToPay['status'], string> = { open: 'blue', kept: 'green', partly_kept: 'gold', broken: 'red' };
const AMOUNT = /^\d{1,17}(\.\d{1,4})?$/;

export function CollectionsCard({ code, currency }: { code: string; currency: string }) {
  const { t, i18n } = useTranslation('collections');
  const { can } = useSession();
  const timeline = useQuery({
    queryKey: ['collections-timeline', code],
    queryFn: () => api.get<TimelineData>(`/customers/${encodeURIComponent(code)}/collections/timeline`, { limit: 30 }),
  });
  const [form, setForm] = useState<'call' | 'promise' | null>(null);
  const [raising, setRaising] = useState(false);
  const [showing, setShowing] = useState<string | null>(null);
  const s = timeline.data?.summary;
  const lang = i18n.language;

  const line = (e: TimelineEntry) => {
    if (e.kind === 'activity') {
      const a = e.activity;
      return (
        <Space orientation="vertical" size={0}>
          <span><strong>{t('activity.line', { channel: t(`channel.${a.channel}`), outcome: t(`outcome.${a.outcome}`) })}</strong>{a.contact ? ` · ${a.contact}` : ''}</span>
          {a.note ? <span>{a.note}</span> : null}
          <Typography.Text type="secondary">{formatDate(a.activityDate, lang)} · {t('timeline.by', { by: a.recordedBy })}{a.followUpOn ? ` · ${t('timeline.followUp', { date: formatDate(a.followUpOn, lang) })}` : ''}</Typography.Text>
        </Space>
      );
    }
    if (e.kind === 'promise') {
      const p = e.promise;
      return (
        <Space orientation="vertical" size={0}>
          <span><strong>{t('promise.line', { amount: formatAmount(p.amount, p.currency, lang), date: formatDate(p.promisedDate, lang) })}</strong> <Tag color={PROMISE_COLOUR[p.status]}>{t(`promise.status.${p.status}`)}</Tag></span>
          <Typography.Text type="secondary">{formatDate(p.createdOn, lang)} · {t('timeline.by', { by: p.recordedBy })} · {t('promise.paid', { paid: formatAmount(p.paid, p.currency, lang) })}</Typography.Text>
        </Space>
      );
    }
    const d = e.dispute;
    return (
      <Space orientation="vertical" size={0}>
        <span><Button type="link" style={{ padding: 0, height: 'auto' }} onClick={() => setShowing(d.id)}><strong>{t('timeline.dispute', { amount: formatAmount(d.amount, d.currency, lang), reason: t(`reason.${d.reason}`) })}</strong></Button> <DisputeStatusTag status={d.status} /></span>
        <Typography.Text type="secondary">{formatDate(e.date, lang)} · {d.documents.join(', ')} · {t('timeline.by', { by: d.raisedBy })}</Typography.Text>
      </Space>
    );
  };

  return (
    <Card title={t('card.title')} data-testid="collections-card" extra={(
      <Space wrap>
        {can('collections.record') ? <Button icon={<PhoneOutlined />} onClick={() => setForm('call')}>{t('card.logCall')}</Button> : null}
        {can('collections.record') ? <Button icon={<ScheduleOutlined />} onClick={() => setForm('promise')}>{t('card.recordPromise')}</Button> : null}
        {can('disputes.raise') ? <Button icon={<ExclamationCircleOutlined />} onClick={() => setRaising(true)}>{t('card.raiseDispute')}</Button> : null}
      </Space>
    )}>
      {timeline.error ? <ErrorAlert error={timeline.error} ns="collections" onRetry={() => void timeline.refetch()} /> : null}
      <Space size="large" wrap style={{ marginBottom: 16 }}>
        <Statistic title={t('card.openPromises')} value={s?.openPromises ?? 0} loading={!s} />
        <Statistic title={t('card.brokenPromises')} value={s?.brokenPromises ?? 0} loading={!s} styles={{ content: s && s.brokenPromises > 0 ? { color: '#cf1322' } : {} }} />
        <Statistic title={t('card.activeDisputes')} value={s?.activeDisputes ?? 0} loading={!s} />
        <Statistic title={t('card.nextFollowUp')} value={s?.nextFollowUp ? formatDate(s.nextFollowUp, lang) : t('card.none')} loading={!s} />
      </Space>
      <CustomerPlans code={code} />
      {timeline.data && timeline.data.entries.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('card.empty')} /> : null}
      <Timeline items={(timeline.data?.entries ?? []).map((e) => ({
        key: `${e.kind}-${e.kind === 'activity' ? e.activity.id : e.kind === 'promise' ? e.promise.id : e.dispute.id}`,
        color: e.kind === 'dispute' ? 'orange' : e.kind === 'promise' ? (e.promise.status === 'broken' ? 'red' : 'green') : 'blue',
        content: line(e),
      }))} />
      <CallModal open={form === 'call'} code={code} onClose={() => setForm(null)} />
      <PromiseModal open={form === 'promise'} code={code} currency={currency} onClose={() => setForm(null)} />
      <RaiseDisputeModal open={raising} customer={code} onClose={() => setRaising(false)} />
      <DisputeDrawer id={showing} onClose={() => setShowing(null)} />
    </Card>
  );
}

function useRecord<T>(path: string, code: string, done: string, onClose: () => void, open: boolean) {
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [key, setKey] = useState(newIdempotencyKey());
  useEffect(() => { if (open) setKey(newIdempotencyKey()); }, [open]);
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<T>(path, { customer: code, ...body }, key),
    onSuccess: () => {
      void message.success(done);
      void client.invalidateQueries({ queryKey: ['collections-timeline', code] });
      onClose();
    },
  });
}

function CallModal({ open, code, onClose }: { open: boolean; code: string; onClose: () => void }) {
  const { t } = useTranslation('collections');
  const [form] = Form.useForm();
  const record = useRecord<Activity>('/activities', code, t('activity.done'), onClose, open);
  useEffect(() => { if (open) form.resetFields(); }, [open, form]);
  return (
    <Modal open={open} title={t('activity.title')} onCancel={onClose} okText={t('activity.submit')} confirmLoading={record.isPending} destroyOnHidden
      onOk={() => void form.validateFields().then((v: { channel: string; outcome: string; contact?: string; note?: string; followUpOn?: dayjs.Dayjs }) => record.mutate({
        channel: v.channel, outcome: v.outcome, ...(v.contact ? { contact: v.contact.trim() } : {}), ...(v.note ? { note: v.note.trim() } : {}),
        ...(v.followUpOn ? { followUpOn: v.followUpOn.format('YYYY-MM-DD') } : {}),
      }))}>
      <Form form={form} layout="vertical" initialValues={{ channel: 'phone' }}>
        <Space wrap size="middle" align="start">
          <Form.Item name="channel" label={t('activity.channel')} rules={[{ required: true, message: t('errors.required') }]}>
            <Select style={{ width: 140 }} options={ACTIVITY_CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))} />
          </Form.Item>
          <Form.Item name="outcome" label={t('activity.outcome')} rules={[{ required: true, message: t('errors.required') }]}>
            <Select style={{ width: 180 }} options={ACTIVITY_OUTCOMES.map((c) => ({ value: c, label: t(`outcome.${c}`) }))} />
          </Form.Item>
          <Form.Item name="followUpOn" label={t('activity.followUp')}><DatePicker /></Form.Item>
        </Space>
        <Form.Item name="contact" label={t('activity.contact')}><Input maxLength={200} /></Form.Item>
        <Form.Item name="note" label={t('activity.note')}><Input.TextArea rows={3} maxLength={1000} /></Form.Item>
      </Form>
      {record.error ? <Alert type="error" showIcon title={(record.error as Error).message} /> : null}
    </Modal>
  );
}

function PromiseModal({ open, code, currency, onClose }: { open: boolean; code: string; currency: string; onClose: () => void }) {
  const { t } = useTranslation('collections');
  const [form] = Form.useForm();
  const record = useRecord<PromiseToPay>('/promises', code, t('promise.done'), onClose, open);
  useEffect(() => { if (open) form.resetFields(); }, [open, form]);
  return (
    <Modal open={open} title={t('promise.title')} onCancel={onClose} okText={t('promise.submit')} confirmLoading={record.isPending} destroyOnHidden
      onOk={() => void form.validateFields().then((v: { amount: string; promisedDate: dayjs.Dayjs; graceDays?: number | null; note?: string }) => record.mutate({
        amount: v.amount.trim(), promisedDate: v.promisedDate.format('YYYY-MM-DD'), ...(v.graceDays !== undefined && v.graceDays !== null ? { graceDays: v.graceDays } : {}),
        ...(v.note ? { note: v.note.trim() } : {}),
      }))}>
      <Form form={form} layout="vertical">
        <Space wrap size="middle" align="start">
          <Form.Item name="amount" label={`${t('promise.amount')} (${currency})`} rules={[{ required: true, pattern: AMOUNT, message: t('errors.required') }]}>
            <Input style={{ width: 180 }} maxLength={30} />
          </Form.Item>
          <Form.Item name="promisedDate" label={t('promise.date')} rules={[{ required: true, message: t('errors.required') }]}><DatePicker /></Form.Item>
          <Form.Item name="graceDays" label={t('promise.grace')}><InputNumber min={0} max={60} precision={0} style={{ width: 120 }} /></Form.Item>
        </Space>
        <Form.Item name="note" label={t('promise.note')}><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
      </Form>
      {record.error ? <Alert type="error" showIcon title={(record.error as Error).message} /> : null}
    </Modal>
  );
}
