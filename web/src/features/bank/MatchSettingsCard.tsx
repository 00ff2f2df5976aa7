/**
 * The company's cash-matching settings (docs/cash-matching.md): when a proposal is applied automatically, how short a
 * payment may be and still count as bank charges (written off) or as the payer's deduction (a dispute), and the
 * subset-sum bounds. Everyone who sees the workbench reads them; bank.match changes them (audited by the API).
 */
import { useEffect } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Form, Input, InputNumber, Row, Switch, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ErrorAlert } from '../../shared/components.tsx';
import { errorMessage, showFieldErrors } from '../../shared/errors.ts';

export interface MatchSettings {
  autoApplyScore: number; suggestScore: number; ambiguityMargin: number;
  chargeTolerance: string; chargeToleranceBasisPoints: number;
  deductionTolerance: string; deductionToleranceBasisPoints: number; fxToleranceBasisPoints: number;
  maxItems: number; maxCombinations: number; autoApply: boolean;
  updatedAt: string | null; updatedBy: string | null;
}
type SettingsForm = Omit<MatchSettings, 'updatedAt' | 'updatedBy'>;
const AMOUNT = /^\d{1,17}(\.\d{1,4})?$/;

export function MatchSettingsCard() {
  const { t } = useTranslation('bank');
  const { message } = AntApp.useApp();
  const { can } = useSession();
  const editable = can('bank.match');
  const client = useQueryClient();
  const [form] = Form.useForm<SettingsForm>();
  const settings = useQuery({ queryKey: ['bank', 'matching-settings'], queryFn: () => api.get<MatchSettings>('/bank/matching-settings') });
  useEffect(() => { if (settings.data) form.setFieldsValue(settings.data); }, [settings.data, form]);
  const save = useMutation({
    mutationFn: (v: SettingsForm) => api.put<MatchSettings>('/bank/matching-settings', {
      ...v, chargeTolerance: v.chargeTolerance.trim(), deductionTolerance: v.deductionTolerance.trim(),
    }),
    onSuccess: () => {
      void message.success(t('settings.saved'));
      void client.invalidateQueries({ queryKey: ['bank', 'matching-settings'] });
    },
    onError: (error) => { showFieldErrors(form, error); },
  });
  const amount = { pattern: AMOUNT, message: t('settings.amountInvalid') };
  const whole = (name: keyof SettingsForm, min: number, max: number) => (
    <Form.Item name={name} label={t(`settings.${name}`)} extra={t(`settings.${name}Hint`)} rules={[{ required: true, message: t('settings.required') }]}>
      <InputNumber min={min} max={max} precision={0} style={{ width: '100%' }} />
    </Form.Item>
  );
  return (
    <Card title={t('settings.title')} style={{ marginTop: 16 }} data-testid="match-settings">
      {settings.error ? <ErrorAlert error={settings.error} ns="bank" /> : null}
      {save.error ? <Alert type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(t, save.error, 'bank')} /> : null}
      <Form form={form} layout="vertical" disabled={!editable} onFinish={(v) => save.mutate(v)}>
        <Row gutter={16}>
          <Col xs={24} md={8}>{whole('autoApplyScore', 0, 101)}</Col>
          <Col xs={24} md={8}>{whole('suggestScore', 0, 100)}</Col>
          <Col xs={24} md={8}>{whole('ambiguityMargin', 0, 100)}</Col>
          <Col xs={24} md={6}>
            <Form.Item name="chargeTolerance" label={t('settings.chargeTolerance')} extra={t('settings.chargeToleranceHint')} rules={[amount]}><Input maxLength={20} /></Form.Item>
          </Col>
          <Col xs={24} md={6}>{whole('chargeToleranceBasisPoints', 0, 1000)}</Col>
          <Col xs={24} md={6}>
            <Form.Item name="deductionTolerance" label={t('settings.deductionTolerance')} extra={t('settings.deductionToleranceHint')} rules={[amount]}><Input maxLength={20} /></Form.Item>
          </Col>
          <Col xs={24} md={6}>{whole('deductionToleranceBasisPoints', 0, 5000)}</Col>
          <Col xs={24} md={6}>{whole('fxToleranceBasisPoints', 0, 1000)}</Col>
          <Col xs={24} md={6}>{whole('maxItems', 1, 10)}</Col>
          <Col xs={24} md={6}>{whole('maxCombinations', 1, 1_000_000)}</Col>
          <Col xs={24} md={6}>
            <Form.Item name="autoApply" label={t('settings.autoApply')} extra={t('settings.autoApplyHint')} valuePropName="checked"><Switch /></Form.Item>
          </Col>
        </Row>
        {settings.data?.updatedBy ? <Typography.Paragraph type="secondary">{t('settings.changed', { by: settings.data.updatedBy, at: settings.data.updatedAt?.slice(0, 16).replace('T', ' ') ?? '' })}</Typography.Paragraph> : null}
        {editable ? <Button type="primary" htmlType="submit" loading={save.isPending}>{t('settings.save')}</Button> : null}
      </Form>
    </Card>
  );
}
