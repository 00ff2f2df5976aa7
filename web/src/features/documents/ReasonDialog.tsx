/**
 * Asking for a reason before a correction (reverse a document, undo an allocation). The action is posted once per
 * opening of the dialog: one idempotency key per opening, so a double click or a retry cannot do it twice.
 */
import { useState } from 'react';
import { Form, Input, Modal, Space, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { newIdempotencyKey } from '../../api/client.ts';
import { ErrorAlert } from '../../shared/components.tsx';
import { showFieldErrors } from '../../shared/errors.ts';

interface Props {
  title: string;
  hint: string;
  confirmText: string;
  /** Posts the action with the reason under the given idempotency key. */
  submit: (reason: string, idempotencyKey: string) => Promise<unknown>;
  onDone: (result: unknown) => void;
  onCancel: () => void;
}

/** Render it only while open (`{open ? <ReasonDialog …/> : null}`): each opening is a new action with a new key. */
export function ReasonDialog({ title, hint, confirmText, submit, onDone, onCancel }: Props) {
  const { t } = useTranslation('documents');
  const [form] = Form.useForm<{ reason: string }>();
  const [key] = useState(newIdempotencyKey);
  const mutation = useMutation({
    mutationFn: (reason: string) => submit(reason, key),
    onSuccess: onDone,
    onError: (error) => showFieldErrors(form, error),
  });

  return (
    <Modal
      open
      title={title}
      okText={confirmText}
      okButtonProps={{ danger: true, loading: mutation.isPending }}
      cancelText={t('common:actions.cancel')}
      onCancel={onCancel}
      onOk={() => {
        if (mutation.isPending) return;
        form.validateFields().then(({ reason }) => mutation.mutate(reason.trim()), () => {});
      }}
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary">{hint}</Typography.Paragraph>
        {mutation.error ? <ErrorAlert error={mutation.error} ns="documents" /> : null}
        <Form form={form} layout="vertical" requiredMark={false} onFinish={({ reason }) => { if (!mutation.isPending) mutation.mutate(reason.trim()); }}>
          <Form.Item
            name="reason"
            label={t('actions.reason')}
            rules={[{ required: true, validator: (_, value?: string) => ((value ?? '').trim().length >= 3 ? Promise.resolve() : Promise.reject(new Error(t('actions.reasonRequired')))) }]}
          >
            <Input.TextArea autoFocus rows={3} maxLength={500} showCount placeholder={t('actions.reasonPlaceholder')} />
          </Form.Item>
        </Form>
      </Space>
    </Modal>
  );
}
