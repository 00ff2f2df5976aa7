/**
 * Recording cash received on a written-off amount (坏账收回): the API reinstates it with a debit note and applies a
 * payment to it, both linked to the write-off, so the provision's "recovered" column and the ledger agree.
 */
import { App as AntApp, DatePicker, Form, Input, Modal } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, ApiError, newIdempotencyKey } from '../../api/client.ts';
import { ErrorAlert } from '../../shared/components.tsx';
import { apiMinor } from './money.ts';

interface Fields { amount: string; date: Dayjs | null; memo: string }

export function RecoveryDialog({ writeOff, amount, currency, today, onClose }: { writeOff: string; amount: string; currency: string; today: string; onClose: () => void }) {
  const { t } = useTranslation('documents');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Fields>();
  const [key] = useState(newIdempotencyKey);
  const save = useMutation({
    mutationFn: (v: Fields) => api.post('/provision/recoveries', { writeOff, amount: v.amount.trim(), date: v.date!.format('YYYY-MM-DD'), ...(v.memo.trim() ? { memo: v.memo.trim() } : {}) }, key),
    onSuccess: () => {
      void message.success(t('recovery.done'));
      void client.invalidateQueries();
      onClose();
    },
    onError: (error) => {
      if (!(error instanceof ApiError)) return;
      const fields = error.details.filter((d) => d.field && ['amount', 'date', 'memo'].includes(d.field.replace(/^body\./, ''))).map((d) => ({ name: d.field!.replace(/^body\./, '') as keyof Fields, errors: [d.message] }));
      if (fields.length) form.setFields(fields);
    },
  });
  const withinWriteOff = (v: string) => {
    try {
      return apiMinor(v.trim(), currency) > 0n && apiMinor(v.trim(), currency) <= apiMinor(amount, currency);
    } catch {
      return false;
    }
  };
  return (
    <Modal open title={t('recovery.title', { number: writeOff })} okText={t('recovery.submit')} confirmLoading={save.isPending} onCancel={onClose} onOk={() => form.submit()} destroyOnHidden>
      {save.error ? <ErrorAlert error={save.error} ns="documents" /> : null}
      <p>{t('recovery.intro')}</p>
      <Form form={form} layout="vertical" initialValues={{ amount: '', date: dayjs(today), memo: '' }} onFinish={(v) => save.mutate(v)} requiredMark={false}>
        <Form.Item name="amount" label={`${t('recovery.amount')} (${currency})`} extra={t('recovery.amountHint', { amount })}
          rules={[{ required: true, message: t('recovery.required') }, { validator: async (_, v: string) => { if (v && !withinWriteOff(v)) throw new Error(t('recovery.amountRange', { amount })); } }]}>
          <Input inputMode="decimal" placeholder={amount} style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="date" label={t('recovery.date')} rules={[{ required: true, message: t('recovery.required') }]}>
          <DatePicker format="YYYY-MM-DD" disabledDate={(d) => d.isAfter(dayjs(today), 'day')} />
        </Form.Item>
        <Form.Item name="memo" label={t('recovery.memo')}><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
      </Form>
    </Modal>
  );
}
