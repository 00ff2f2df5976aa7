/**
 * The disputes' shared pieces: raising a dispute from a customer's open invoices, moving one on with a note, and a
 * dispute's details with its history. Used by the disputes board and the customer's collections card.
 */
import { useEffect, useState } from 'react';
import { App as AntApp, Alert, Checkbox, DatePicker, Descriptions, Drawer, Form, Input, Modal, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, type Page } from '../../api/client.ts';
import type { OpenItem } from '../../api/types.ts';
import { Amount, ErrorAlert } from '../../shared/components.tsx';
import { formatAmount, formatDate, formatInstant } from '../../shared/format.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { DISPUTE_REASONS, NEXT_STATUSES, OWNER_TEAMS, type Dispute, type DisputeDetail, type DisputeStatus } from './types.ts';

export const DISPUTES_KEY = 'disputes';
export const STATUS_COLOUR: Record<DisputeStatus, string> = { open: 'gold', investigating: 'blue', resolved_credit_note: 'green', rejected: 'default', partly_accepted: 'cyan' };

export function DisputeStatusTag({ status }: { status: DisputeStatus }) {
  const { t } = useTranslation('collections');
  return <Tag color={STATUS_COLOUR[status]}>{t(`status.${status}`)}</Tag>;
}

const AMOUNT = /^\d{1,17}(\.\d{1,4})?$/;

/** Raise a dispute: pick the customer (or have it given), tick open invoices and say how much of each is disputed. */
export function RaiseDisputeModal({ open, customer: given, onClose }: { open: boolean; customer?: string; onClose: () => void }) {
  const { t, i18n } = useTranslation('collections');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const [customer, setCustomer] = useState(given ?? '');
  const [picked, setPicked] = useState<Record<string, string>>({});
  const [pickError, setPickError] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey());
  useEffect(() => {
    if (open) {
      setCustomer(given ?? '');
      setPicked({});
      setPickError(false);
      setKey(newIdempotencyKey());
      form.resetFields();
    }
  }, [open, given, form]);
  const items = useQuery({
    queryKey: ['dispute-open-items', customer],
    queryFn: () => api.get<Page<OpenItem>>(`/customers/${encodeURIComponent(customer)}/open-items`, { side: 'debit', limit: 100 }),
    enabled: open && customer.length > 0,
  });
  const raise = useMutation({
    mutationFn: (values: { reason: string; ownerTeam: string; ownerUser?: string; dueDate?: dayjs.Dayjs; note?: string }) => {
      const lines = (items.data?.items ?? []).filter((i) => picked[i.itemId] !== undefined)
        .map((i) => ({ document: `${i.kind}:${i.number}`, installment: i.installment, amount: picked[i.itemId]!.trim() }));
      return api.post<Dispute>('/disputes', {
        customer, reason: values.reason, ownerTeam: values.ownerTeam, items: lines,
        ...(values.ownerUser ? { ownerUser: values.ownerUser.trim() } : {}), ...(values.dueDate ? { dueDate: values.dueDate.format('YYYY-MM-DD') } : {}),
        ...(values.note ? { note: values.note.trim() } : {}),
      }, key);
    },
    onSuccess: (d) => {
      void message.success(t('raise.done', { amount: formatAmount(d.amount, d.currency, i18n.language) }));
      void client.invalidateQueries({ queryKey: [DISPUTES_KEY] });
      void client.invalidateQueries({ queryKey: ['collections-timeline'] });
      void client.invalidateQueries({ queryKey: ['aging'] });
      onClose();
    },
  });
  const submit = async () => {
    const values = await form.validateFields();
    const chosen = Object.values(picked);
    if (chosen.length === 0 || chosen.some((a) => !AMOUNT.test(a.trim()))) { setPickError(true); return; }
    raise.mutate(values);
  };
  return (
    <Modal open={open} title={t('raise.title')} width={820} onCancel={onClose} okText={t('raise.submit')} confirmLoading={raise.isPending} onOk={() => void submit()} destroyOnHidden>
      {given ? null : (
        <Input.Search aria-label={t('raise.customer')} placeholder={t('raise.customer')} enterButton={t('raise.load')} maxLength={100} style={{ marginBottom: 12 }}
          onSearch={(v) => { setCustomer(v.trim()); setPicked({}); }} />
      )}
      {customer ? (
        <>
          <Typography.Paragraph type="secondary">{t('raise.items')}</Typography.Paragraph>
          {items.error ? <ErrorAlert error={items.error} ns="collections" /> : null}
          <Table<OpenItem> rowKey="itemId" size="small" loading={items.isFetching} pagination={false} scroll={{ y: 240 }} dataSource={items.data?.items ?? []}
            locale={{ emptyText: t('raise.noItems') }} aria-label={t('raise.items')}
            columns={[
              {
                key: 'pick', width: 48,
                render: (_: unknown, i) => <Checkbox aria-label={`${i.number}#${i.installment}`} checked={picked[i.itemId] !== undefined}
                  onChange={(e) => { setPickError(false); setPicked((p) => { const next = { ...p }; if (e.target.checked) next[i.itemId] = i.open; else delete next[i.itemId]; return next; }); }} />,
              },
              { title: t('detail.items'), key: 'doc', render: (_: unknown, i) => `${i.number}${i.installment > 1 ? ` #${i.installment}` : ''}` },
              { title: t('disputes.columns.due'), dataIndex: 'dueDate', width: 120, render: (d: string | null) => formatDate(d, i18n.language) },
              { title: t('raise.open'), dataIndex: 'open', width: 150, align: 'right', render: (v: string, i) => <Amount value={v} currency={i.currency} /> },
              {
                title: t('raise.amount'), key: 'amount', width: 170,
                render: (_: unknown, i) => <Input aria-label={`${t('raise.amount')} ${i.number}`} disabled={picked[i.itemId] === undefined} value={picked[i.itemId] ?? ''} style={{ textAlign: 'right' }}
                  onChange={(e) => { setPickError(false); setPicked((p) => ({ ...p, [i.itemId]: e.target.value })); }} />,
              },
            ]} />
          {pickError ? <Typography.Text type="danger">{t('raise.pickOne')}</Typography.Text> : null}
        </>
      ) : null}
      <Form form={form} layout="vertical" style={{ marginTop: 16 }} initialValues={{ ownerTeam: 'sales' }}>
        <Space wrap size="middle" align="start">
          <Form.Item name="reason" label={t('raise.reason')} rules={[{ required: true, message: t('errors.required') }]}>
            <Select style={{ width: 190 }} options={DISPUTE_REASONS.map((r) => ({ value: r, label: t(`reason.${r}`) }))} />
          </Form.Item>
          <Form.Item name="ownerTeam" label={t('raise.ownerTeam')} rules={[{ required: true, message: t('errors.required') }]}>
            <Select style={{ width: 140 }} options={OWNER_TEAMS.map((r) => ({ value: r, label: t(`team.${r}`) }))} />
          </Form.Item>
          <Form.Item name="ownerUser" label={t('raise.ownerUser')}><Input style={{ width: 200 }} maxLength={100} /></Form.Item>
          <Form.Item name="dueDate" label={t('raise.dueDate')}><DatePicker /></Form.Item>
        </Space>
        <Form.Item name="note" label={t('raise.note')}><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
      </Form>
      {raise.error ? <Alert type="error" showIcon title={(raise.error as Error).message} /> : null}
    </Modal>
  );
}

/** Move a dispute to one of the statuses it may go to next, with a note (and the credit note or accepted amount). */
export function TransitionModal({ dispute, onClose }: { dispute: Dispute | null; onClose: () => void }) {
  const { t } = useTranslation('collections');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const to = Form.useWatch('to', form) as DisputeStatus | undefined;
  const [key, setKey] = useState(newIdempotencyKey());
  useEffect(() => {
    if (dispute) { form.resetFields(); setKey(newIdempotencyKey()); form.setFieldValue('to', NEXT_STATUSES[dispute.status][0]); }
  }, [dispute, form]);
  const move = useMutation({
    mutationFn: (values: { to: DisputeStatus; note?: string; creditNote?: string; acceptedAmount?: string }) => api.post<Dispute>(`/disputes/${dispute!.id}/transition`, {
      to: values.to, ...(values.note ? { note: values.note.trim() } : {}), ...(values.creditNote ? { creditNote: values.creditNote.trim() } : {}),
      ...(values.acceptedAmount ? { acceptedAmount: values.acceptedAmount.trim() } : {}),
    }, key),
    onSuccess: (d) => {
      void message.success(t('transition.done', { status: t(`status.${d.status}`) }));
      void client.invalidateQueries({ queryKey: [DISPUTES_KEY] });
      void client.invalidateQueries({ queryKey: ['collections-timeline'] });
      onClose();
    },
  });
  const next = dispute ? NEXT_STATUSES[dispute.status] : [];
  return (
    <Modal open={dispute !== null} title={t('transition.title')} onCancel={onClose} okText={t('transition.submit')} confirmLoading={move.isPending} destroyOnHidden
      okButtonProps={{ disabled: next.length === 0 }} onOk={() => void form.validateFields().then((v) => move.mutate(v))}>
      {dispute ? <Typography.Paragraph>{dispute.customer} · {dispute.documents.join(', ')} · <DisputeStatusTag status={dispute.status} /></Typography.Paragraph> : null}
      {next.length === 0 ? <Typography.Text type="secondary">{t('transition.closed')}</Typography.Text> : (
        <Form form={form} layout="vertical">
          <Form.Item name="to" label={t('transition.to')} rules={[{ required: true, message: t('errors.required') }]}>
            <Select options={next.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
          </Form.Item>
          {to === 'resolved_credit_note' || to === 'partly_accepted' ? (
            <Form.Item name="creditNote" label={t('transition.creditNote')} rules={to === 'resolved_credit_note' ? [{ required: true, message: t('errors.required') }] : []}>
              <Input maxLength={200} />
            </Form.Item>
          ) : null}
          {to === 'partly_accepted' ? (
            <Form.Item name="acceptedAmount" label={t('transition.accepted')} rules={[{ required: true, pattern: AMOUNT, message: t('errors.required') }]}>
              <Input maxLength={30} />
            </Form.Item>
          ) : null}
          <Form.Item name="note" label={t('transition.note')} rules={to === 'rejected' || to === 'partly_accepted' ? [{ required: true, message: t('errors.required') }] : []}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
        </Form>
      )}
      {move.error ? <Alert type="error" showIcon title={(move.error as Error).message} /> : null}
    </Modal>
  );
}

/** A dispute's items, outcome and history. */
export function DisputeDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, i18n } = useTranslation('collections');
  const session = useSignedIn();
  const detail = useQuery({ queryKey: [DISPUTES_KEY, 'detail', id], queryFn: () => api.get<DisputeDetail>(`/disputes/${id}`), enabled: id !== null });
  const d = detail.data;
  return (
    <Drawer open={id !== null} onClose={onClose} size="large" title={d ? `${t('detail.title')} · ${d.customer} ${d.customerName}` : t('detail.title')}>
      {detail.error ? <ErrorAlert error={detail.error} ns="collections" /> : null}
      {d ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('disputes.columns.status')}><DisputeStatusTag status={d.status} /></Descriptions.Item>
            <Descriptions.Item label={t('disputes.columns.reason')}>{t(`reason.${d.reason}`)}</Descriptions.Item>
            <Descriptions.Item label={t('disputes.columns.amount')}><Amount value={d.amount} currency={d.currency} strong /></Descriptions.Item>
            <Descriptions.Item label={t('disputes.columns.owner')}>{t(`team.${d.ownerTeam}`)}{d.ownerUser ? ` · ${d.ownerUser}` : ''}</Descriptions.Item>
            <Descriptions.Item label={t('disputes.columns.due')}>{formatDate(d.dueDate, i18n.language)}{d.overdue ? <Tag color="red" style={{ marginLeft: 8 }}>{t('disputes.overdue')}</Tag> : null}</Descriptions.Item>
            <Descriptions.Item label={t('detail.accepted')}>{d.acceptedAmount === null ? '—' : <Amount value={d.acceptedAmount} currency={d.currency} />}{d.creditNote ? ` · ${t('detail.creditNote')} ${d.creditNote}` : ''}</Descriptions.Item>
          </Descriptions>
          <Typography.Text type="secondary">{t('detail.raisedBy', { by: d.raisedBy, date: formatDate(d.raisedOn, i18n.language) })}</Typography.Text>
          <Table size="small" rowKey={(i) => `${i.document}#${i.installment}`} pagination={false} dataSource={d.items} aria-label={t('detail.items')}
            columns={[
              { title: t('detail.items'), key: 'doc', render: (_: unknown, i) => `${i.document}${i.installment > 1 ? ` #${i.installment}` : ''}` },
              { title: t('disputes.columns.due'), dataIndex: 'dueDate', render: (v: string | null) => formatDate(v, i18n.language) },
              { title: t('detail.openAtRaise'), dataIndex: 'openAtRaise', align: 'right', render: (v: string) => <Amount value={v} currency={d.currency} /> },
              { title: t('disputes.columns.amount'), dataIndex: 'amount', align: 'right', render: (v: string) => <Amount value={v} currency={d.currency} /> },
            ]} />
          <div>
            <Typography.Title level={5}>{t('detail.history')}</Typography.Title>
            <Timeline items={d.events.map((e) => ({
              color: e.to === 'open' ? 'gold' : e.to === 'investigating' ? 'blue' : 'green',
              content: (
                <Space orientation="vertical" size={0}>
                  <span><DisputeStatusTag status={e.to} /> {e.actor}</span>
                  <Typography.Text type="secondary">{formatInstant(e.at, i18n.language, session.company.timeZone)}</Typography.Text>
                  {e.note ? <span>{e.note}</span> : null}
                </Space>
              ),
            }))} />
          </div>
        </Space>
      ) : null}
    </Drawer>
  );
}

