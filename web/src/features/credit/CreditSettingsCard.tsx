/**
 * The credit settings on the credit control page: what the exposure counts, the warn band, the hold rules, what a
 * hold blocks and each role's limit approval authority. Everyone who sees the page reads them; an administrator
 * (company.manage) edits them in a form the API validates field by field (the change is audited).
 */
import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Checkbox, Descriptions, Form, Input, InputNumber, Modal, Switch, Tag } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { Amount, ErrorAlert } from '../../shared/components.tsx';
import { errorMessage } from '../../shared/errors.ts';
import { EXPOSURE_PARTS, type CreditSettings, type ExposurePart } from './control-types.ts';

const KINDS = ['order', 'shipment', 'invoice'] as const;

interface Fields {
  exposure: ExposurePart[];
  warnPercent: number | null;
  overdueDays: number | null;
  overdueAmount: string;
  gradeE: boolean;
  reviewExpired: boolean;
  holdBlocks: (typeof KINDS)[number][];
  creditManager: string;
  financeManager: string;
}

/** The API's field path (body.holdRules.overdueAmount) as this form's field. */
const FIELD_OF: Record<string, keyof Fields> = {
  exposure: 'exposure', warnPercent: 'warnPercent', 'holdRules.overdueDays': 'overdueDays', 'holdRules.overdueAmount': 'overdueAmount',
  'holdRules.gradeE': 'gradeE', 'holdRules.reviewExpired': 'reviewExpired', holdBlocks: 'holdBlocks',
  'approvalLimits.credit_manager': 'creditManager', 'approvalLimits.finance_manager': 'financeManager',
};

function toFields(s: CreditSettings): Fields {
  return {
    exposure: EXPOSURE_PARTS.filter((p) => s.exposure[p]), warnPercent: s.warnPercent,
    overdueDays: s.holdRules.overdueDays, overdueAmount: s.holdRules.overdueAmount ?? '', gradeE: s.holdRules.gradeE, reviewExpired: s.holdRules.reviewExpired,
    holdBlocks: s.holdBlocks, creditManager: s.approvalLimits.credit_manager ?? '', financeManager: s.approvalLimits.finance_manager ?? '',
  };
}

function toSettings(f: Fields): CreditSettings {
  const amount = (v: string) => (v.trim() === '' ? null : v.trim());
  return {
    exposure: Object.fromEntries(EXPOSURE_PARTS.map((p) => [p, f.exposure.includes(p)])) as Record<ExposurePart, boolean>,
    warnPercent: f.warnPercent ?? null,
    holdRules: { overdueDays: f.overdueDays ?? null, overdueAmount: amount(f.overdueAmount), gradeE: f.gradeE, reviewExpired: f.reviewExpired },
    holdBlocks: f.holdBlocks,
    approvalLimits: { credit_manager: amount(f.creditManager), finance_manager: amount(f.financeManager) },
  };
}

export function CreditSettingsCard() {
  const { t } = useTranslation('creditControl');
  const session = useSignedIn();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<Fields>();
  const settings = useQuery({ queryKey: ['credit', 'settings'], queryFn: () => api.get<CreditSettings>('/credit/settings') });
  const save = useMutation({
    mutationFn: (f: Fields) => api.put<CreditSettings>('/credit/settings', toSettings(f), newIdempotencyKey()),
    onSuccess: () => {
      void message.success(t('settings.saved'));
      setEditing(false);
      void queryClient.invalidateQueries({ queryKey: ['credit'] });
    },
    onError: (error) => {
      if (!(error instanceof ApiError)) return;
      const fields = error.details.flatMap((d) => {
        const name = d.field ? FIELD_OF[d.field.replace(/^body\./, '')] : undefined;
        return name ? [{ name, errors: [d.message] }] : [];
      });
      if (fields.length) form.setFields(fields);
    },
  });
  const s = settings.data;
  const currency = session.company.currency;
  const yesNo = (v: boolean) => (v ? <Tag color="blue">{t('settings.on')}</Tag> : <Tag>{t('settings.off')}</Tag>);
  const authority = (v: string | null | undefined) => (v ? <Amount value={v} currency={currency} /> : t('settings.mayNot'));
  return (
    <Card title={t('settings.title')} extra={can('company.manage') && s ? <Button onClick={() => { form.setFieldsValue(toFields(s)); save.reset(); setEditing(true); }}>{t('settings.edit')}</Button> : null}>
      {settings.error ? <ErrorAlert error={settings.error} /> : null}
      {s ? (
        <Descriptions size="small" column={1} colon={false}>
          <Descriptions.Item label={t('settings.exposure')}>{EXPOSURE_PARTS.filter((p) => s.exposure[p]).map((p) => t(`settings.parts.${p}`)).join(' · ') || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('settings.warn')}>{s.warnPercent === null ? '—' : `≥ ${s.warnPercent}%`}</Descriptions.Item>
          <Descriptions.Item label={t('settings.overdueDays')}>{s.holdRules.overdueDays === null ? t('settings.off') : t('settings.moreThanDays', { days: s.holdRules.overdueDays })}</Descriptions.Item>
          <Descriptions.Item label={t('settings.overdueAmount')}>{s.holdRules.overdueAmount === null ? t('settings.off') : <Amount value={s.holdRules.overdueAmount} currency={currency} />}</Descriptions.Item>
          <Descriptions.Item label={t('settings.gradeE')}>{yesNo(s.holdRules.gradeE)}</Descriptions.Item>
          <Descriptions.Item label={t('settings.reviewExpired')}>{yesNo(s.holdRules.reviewExpired)}</Descriptions.Item>
          <Descriptions.Item label={t('settings.blocks')}>{s.holdBlocks.map((k) => t(`check.kinds.${k}`)).join('、') || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('settings.roles.credit_manager')}>{authority(s.approvalLimits.credit_manager)}</Descriptions.Item>
          <Descriptions.Item label={t('settings.roles.finance_manager')}>{authority(s.approvalLimits.finance_manager)}</Descriptions.Item>
          <Descriptions.Item label={t('settings.roles.admin')}>{t('settings.unlimited')}</Descriptions.Item>
        </Descriptions>
      ) : null}
      <Modal open={editing} title={t('settings.editTitle')} okText={t('settings.save')} confirmLoading={save.isPending} onCancel={() => setEditing(false)} onOk={() => form.submit()} width={640} destroyOnHidden>
        {save.error ? <Alert type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(t, save.error)} /> : null}
        <Form form={form} layout="vertical" onFinish={(f) => save.mutate(f)} requiredMark={false}>
          <Form.Item name="exposure" label={t('settings.exposure')} extra={t('settings.exposureHint')}>
            <Checkbox.Group options={EXPOSURE_PARTS.map((p) => ({ value: p, label: t(`settings.parts.${p}`) }))} />
          </Form.Item>
          <Form.Item name="warnPercent" label={t('settings.warn')} extra={t('settings.warnHint')}>
            <InputNumber min={1} max={100} precision={0} addonAfter="%" style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="overdueDays" label={t('settings.overdueDays')} extra={t('settings.offWhenEmpty')}>
            <InputNumber min={0} max={3650} precision={0} addonAfter={t('settings.days')} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="overdueAmount" label={`${t('settings.overdueAmount')} (${currency})`} extra={t('settings.offWhenEmpty')}>
            <Input placeholder="500000.00" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="gradeE" label={t('settings.gradeE')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="reviewExpired" label={t('settings.reviewExpired')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="holdBlocks" label={t('settings.blocks')} extra={t('settings.blocksHint')}>
            <Checkbox.Group options={KINDS.map((k) => ({ value: k, label: t(`check.kinds.${k}`) }))} />
          </Form.Item>
          <Form.Item name="creditManager" label={`${t('settings.roles.credit_manager')}: ${t('settings.upTo')} (${currency})`} extra={t('settings.mayNotWhenEmpty')}>
            <Input placeholder="500000.00" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="financeManager" label={`${t('settings.roles.finance_manager')}: ${t('settings.upTo')} (${currency})`} extra={t('settings.mayNotWhenEmpty')}>
            <Input placeholder="5000000.00" style={{ width: 200 }} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
