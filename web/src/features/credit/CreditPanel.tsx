/**
 * A customer's credit: the limit in force (with its temporary increase), the group's limit, the exposure parts and
 * utilisation, open holds with place and release, and the approved limit versions. Changes go to the approvals inbox.
 */
import { useState } from 'react';
import { App as AntApp, Button, Card, Checkbox, Descriptions, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Amount, ErrorAlert } from '../../shared/components.tsx';
import type { Hold, Limits, Position } from './control-types.ts';

export const OUTCOME_COLORS = { pass: 'green', warn: 'gold', hold: 'orange', block: 'red' } as const;

export function ExposureFigures({ position }: { position: Position }) {
  const { t } = useTranslation('creditControl');
  const e = position.exposure;
  const currency = position.limit?.currency ?? position.currency;
  return (
    <Descriptions size="small" column={{ xs: 1, sm: 2 }} colon={false}>
      <Descriptions.Item label={t('panel.receivables')}><Amount value={e.receivables} currency={currency} /></Descriptions.Item>
      <Descriptions.Item label={t('panel.orders')}><Amount value={e.orders} currency={currency} /></Descriptions.Item>
      <Descriptions.Item label={t('panel.shipments')}><Amount value={e.shipments} currency={currency} /></Descriptions.Item>
      <Descriptions.Item label={t('panel.advances')}><Amount value={Number(e.advances) === 0 ? e.advances : `-${e.advances}`} currency={currency} /></Descriptions.Item>
      {position.kind && Number(e.checkedAmount) !== 0 ? <Descriptions.Item label={t('panel.checkedAmount')}><Amount value={e.checkedAmount} currency={currency} /></Descriptions.Item> : null}
      <Descriptions.Item label={t('panel.exposure')}><Amount value={e.total} currency={currency} strong /></Descriptions.Item>
      <Descriptions.Item label={t('panel.overdue')}><Amount value={e.overdue} currency={currency} /></Descriptions.Item>
      <Descriptions.Item label={t('panel.utilisation')}>{position.utilisation === null ? '—' : `${position.utilisation}%`}</Descriptions.Item>
    </Descriptions>
  );
}

export function HoldReleaseButton({ hold }: { hold: Hold }) {
  const { t } = useTranslation('creditControl');
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const release = useMutation({
    mutationFn: (reason: string) => api.post(`/credit/holds/${hold.id}/release`, { reason }, newIdempotencyKey()),
    onSuccess: () => {
      setOpen(false);
      void message.success(t('forms.releaseRequested'));
      void queryClient.invalidateQueries({ queryKey: ['credit'] });
    },
  });
  if (hold.status !== 'active') return null;
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>{t('panel.release')}</Button>
      <Modal open={open} title={t('panel.release')} okText={t('forms.submit')} cancelText={t('forms.cancel')} onCancel={() => setOpen(false)} onOk={() => void form.validateFields().then((v) => release.mutate(v.reason))} confirmLoading={release.isPending} destroyOnHidden>
        {release.error ? <ErrorAlert error={release.error} /> : null}
        <Form form={form} layout="vertical">
          <Form.Item name="reason" label={t('forms.reason')} rules={[{ required: true, message: t('forms.required') }]}><Input.TextArea rows={2} maxLength={500} /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export function CreditPanel({ code }: { code: string }) {
  const { t } = useTranslation('creditControl');
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const limits = useQuery({ queryKey: ['credit', 'limits', code], queryFn: () => api.get<Limits>(`/credit/limits/${encodeURIComponent(code)}`) });
  const position = useQuery({ queryKey: ['credit', 'exposure', code], queryFn: () => api.get<Position>('/credit/exposure', { customer: code }) });
  const holds = useQuery({ queryKey: ['credit', 'holds', code], queryFn: () => api.get<{ items: Hold[] }>('/credit/holds', { customer: code, status: 'open' }) });
  const [limitOpen, setLimitOpen] = useState(false);
  const [holdOpen, setHoldOpen] = useState(false);
  const [limitForm] = Form.useForm<{ limit: string; group?: boolean; temporary?: string; from?: string; to?: string; reason: string }>();
  const [holdForm] = Form.useForm<{ reason: string }>();
  const done = (text: string) => {
    void message.success(text);
    void queryClient.invalidateQueries({ queryKey: ['credit'] });
  };
  const requestLimit = useMutation({
    mutationFn: (v: { limit: string; group?: boolean; temporary?: string; from?: string; to?: string; reason: string }) => api.post('/credit/limit-requests', {
      customer: code, scope: v.group ? 'group' : 'customer', limit: v.limit, reason: v.reason,
      ...(v.temporary ? { temporary: { amount: v.temporary, validFrom: v.from, validTo: v.to, reason: v.reason } } : {}),
    }, newIdempotencyKey()),
    onSuccess: () => { setLimitOpen(false); done(t('forms.requested')); },
  });
  const placeHold = useMutation({
    mutationFn: (reason: string) => api.post('/credit/holds', { customer: code, reason }, newIdempotencyKey()),
    onSuccess: () => { setHoldOpen(false); done(t('forms.placed')); },
  });
  const l = limits.data;
  const limitText = (x: Limits['limit']) => (x ? (
    <Space orientation="vertical" size={0}>
      <Amount value={x.total} currency={x.currency} strong />
      {x.temporary ? <Typography.Text type="secondary">{t('panel.temporary')}: <Amount value={x.temporary.amount} currency={x.currency} /> {x.temporary.validFrom} – {x.temporary.validTo} ({Number(x.temporaryInForce) > 0 ? t('panel.inForce') : t('panel.notInForce')})</Typography.Text> : null}
    </Space>
  ) : <Typography.Text type="secondary">{t('panel.none')}</Typography.Text>);
  return (
    <Card title={t('panel.title')} data-testid="credit-panel" extra={(
      <Space>
        {can('customers.credit') ? <Button size="small" onClick={() => setLimitOpen(true)}>{t('panel.requestLimit')}</Button> : null}
        {can('credit.hold') ? <Button size="small" danger onClick={() => setHoldOpen(true)}>{t('panel.placeHold')}</Button> : null}
      </Space>
    )}>
      {limits.error ? <ErrorAlert error={limits.error} /> : null}
      {position.error ? <ErrorAlert error={position.error} /> : null}
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} colon={false}>
        <Descriptions.Item label={t('panel.total')}>{l ? limitText(l.limit) : '…'}</Descriptions.Item>
        {l?.group ? <Descriptions.Item label={t('panel.groupLimit', { head: l.group })}>{limitText(l.groupLimit)}</Descriptions.Item> : null}
      </Descriptions>
      {position.data ? <ExposureFigures position={position.data} /> : null}
      <Typography.Title level={5}>{t('panel.holds')}</Typography.Title>
      {holds.data && holds.data.items.length === 0 ? <Typography.Text type="secondary">{t('panel.noHolds')}</Typography.Text> : null}
      {holds.data?.items.map((h) => (
        <div key={h.id} style={{ marginBottom: 6 }}>
          <Space wrap>
            <Tag color={h.status === 'active' ? 'red' : 'gold'}>{t(`holds.statuses.${h.status}`)}</Tag>
            <span>{t(`holds.rules.${h.rule}`)} · {h.placedOn} · {h.reason}</span>
            {can('credit.hold') ? <HoldReleaseButton hold={h} /> : null}
          </Space>
        </div>
      ))}
      {l && l.history.length ? (
        <>
          <Typography.Title level={5}>{t('panel.history')}</Typography.Title>
          <Table size="small" rowKey={(v) => `${v.scope}-${v.version}`} pagination={false} dataSource={l.history} columns={[
            { title: t('panel.version'), dataIndex: 'version' },
            { title: t('panel.scope'), dataIndex: 'scope' },
            { title: t('panel.limit'), render: (_, v) => <Amount value={v.limit} currency={v.currency} /> },
            { title: t('panel.temporary'), render: (_, v) => (v.temporary ? <span><Amount value={v.temporary.amount} currency={v.currency} /> {v.temporary.validFrom} – {v.temporary.validTo}</span> : '—') },
            { title: t('panel.reason'), dataIndex: 'reason' },
            { title: t('panel.requestedBy'), dataIndex: 'requestedBy' },
            { title: t('panel.approvedBy'), dataIndex: 'approvedBy' },
          ]} />
        </>
      ) : null}
      <Modal open={limitOpen} title={t('panel.requestLimit')} okText={t('forms.submit')} cancelText={t('forms.cancel')} onCancel={() => setLimitOpen(false)} onOk={() => void limitForm.validateFields().then((v) => requestLimit.mutate(v))} confirmLoading={requestLimit.isPending} destroyOnHidden>
        {requestLimit.error ? <ErrorAlert error={requestLimit.error} /> : null}
        <Form form={limitForm} layout="vertical">
          <Form.Item name="limit" label={t('forms.limit')} rules={[{ required: true, message: t('forms.required') }]}><Input inputMode="decimal" placeholder="100000.00" /></Form.Item>
          <Form.Item name="group" valuePropName="checked"><Checkbox>{t('forms.group')}</Checkbox></Form.Item>
          <Space wrap>
            <Form.Item name="temporary" label={t('forms.temporary')}><Input inputMode="decimal" /></Form.Item>
            <Form.Item name="from" label={t('forms.from')}><Input placeholder="YYYY-MM-DD" /></Form.Item>
            <Form.Item name="to" label={t('forms.to')}><Input placeholder="YYYY-MM-DD" /></Form.Item>
          </Space>
          <Form.Item name="reason" label={t('forms.reason')} rules={[{ required: true, message: t('forms.required') }]}><Input.TextArea rows={2} maxLength={500} /></Form.Item>
        </Form>
      </Modal>
      <Modal open={holdOpen} title={t('panel.placeHold')} okText={t('forms.submit')} cancelText={t('forms.cancel')} onCancel={() => setHoldOpen(false)} onOk={() => void holdForm.validateFields().then((v) => placeHold.mutate(v.reason))} confirmLoading={placeHold.isPending} destroyOnHidden>
        {placeHold.error ? <ErrorAlert error={placeHold.error} /> : null}
        <Form form={holdForm} layout="vertical">
          <Form.Item name="reason" label={t('forms.reason')} rules={[{ required: true, message: t('forms.required') }]}><Input.TextArea rows={2} maxLength={500} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
