/**
 * The company's settings (公司设置): who it is (read), the letterhead and monthly statement day of statements of
 * account, and what needs a second person's approval. Everyone with the page reads them; an administrator
 * (company.manage) changes them, each card saved on its own and audited by the API.
 */
import { useEffect } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Descriptions, Form, Input, InputNumber, Row, Switch, type FormInstance } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { errorMessage } from '../../shared/errors.ts';

interface StatementSettings { address: string | null; statementDay: number | null }
interface ApprovalSettings { writeOffApproval: string | null; creditLimitApproval: string | null; reversalsNeedApproval: boolean }
const AMOUNT = /^\d{1,17}(\.\d{1,4})?$/;

/** Puts the API's field errors (body.x) on the form's fields of the same name. */
function fieldErrors<T>(form: FormInstance<T>, error: unknown) {
  if (!(error instanceof ApiError)) return;
  const fields = error.details.filter((d) => d.field).map((d) => ({ name: d.field!.replace(/^body\./, ''), errors: [d.message] }));
  if (fields.length) form.setFields(fields as Parameters<FormInstance<T>['setFields']>[0]);
}

function StatementCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation('admin');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ address: string; statementDay: number | null }>();
  const settings = useQuery({ queryKey: ['company', 'statement-settings'], queryFn: () => api.get<StatementSettings>('/company/statement-settings') });
  useEffect(() => {
    if (settings.data) form.setFieldsValue({ address: settings.data.address ?? '', statementDay: settings.data.statementDay });
  }, [settings.data, form]);
  const save = useMutation({
    mutationFn: (v: { address: string; statementDay: number | null }) => api.put<StatementSettings>('/company/statement-settings', { address: v.address.trim() || null, statementDay: v.statementDay ?? null }),
    onSuccess: () => {
      void message.success(t('company.saved'));
      void client.invalidateQueries({ queryKey: ['company'] });
    },
    onError: (error) => fieldErrors(form, error),
  });
  return (
    <Card title={t('company.statements')}>
      {settings.error ? <ErrorAlert error={settings.error} /> : null}
      {save.error ? <Alert type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(t, save.error)} /> : null}
      <Form form={form} layout="vertical" disabled={!editable} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="address" label={t('company.address')} extra={t('company.addressHint')}>
          <Input.TextArea rows={3} maxLength={500} placeholder="上海市浦东新区…" />
        </Form.Item>
        <Form.Item name="statementDay" label={t('company.statementDay')} extra={t('company.statementDayHint')}>
          <InputNumber min={1} max={28} precision={0} style={{ width: 140 }} />
        </Form.Item>
        {editable ? <Button type="primary" htmlType="submit" loading={save.isPending}>{t('company.save')}</Button> : null}
      </Form>
    </Card>
  );
}

function ApprovalCard({ editable, currency }: { editable: boolean; currency: string }) {
  const { t } = useTranslation('admin');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ writeOffApproval: string; creditLimitApproval: string; reversalsNeedApproval: boolean }>();
  const settings = useQuery({ queryKey: ['company', 'approval-settings'], queryFn: () => api.get<ApprovalSettings>('/company/approval-settings') });
  useEffect(() => {
    if (settings.data) form.setFieldsValue({ writeOffApproval: settings.data.writeOffApproval ?? '', creditLimitApproval: settings.data.creditLimitApproval ?? '', reversalsNeedApproval: settings.data.reversalsNeedApproval });
  }, [settings.data, form]);
  const save = useMutation({
    mutationFn: (v: { writeOffApproval: string; creditLimitApproval: string; reversalsNeedApproval: boolean }) => api.patch<ApprovalSettings>('/company/approval-settings', {
      writeOffApproval: v.writeOffApproval.trim() || null, creditLimitApproval: v.creditLimitApproval.trim() || null, reversalsNeedApproval: v.reversalsNeedApproval,
    }),
    onSuccess: () => {
      void message.success(t('company.saved'));
      void client.invalidateQueries({ queryKey: ['company'] });
    },
    onError: (error) => fieldErrors(form, error),
  });
  const amountRule = { pattern: AMOUNT, message: t('company.amount') };
  return (
    <Card title={t('company.approvals')}>
      {settings.error ? <ErrorAlert error={settings.error} /> : null}
      {save.error ? <Alert type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(t, save.error)} /> : null}
      <Form form={form} layout="vertical" disabled={!editable} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="writeOffApproval" label={`${t('company.writeOffApproval')} (${currency})`} extra={t('company.emptyNever')} rules={[amountRule]}>
          <Input placeholder="10000.00" style={{ width: 220 }} inputMode="decimal" />
        </Form.Item>
        <Form.Item name="creditLimitApproval" label={`${t('company.creditLimitApproval')} (${currency})`} extra={t('company.creditLimitHint')} rules={[amountRule]}>
          <Input placeholder="100000.00" style={{ width: 220 }} inputMode="decimal" />
        </Form.Item>
        <Form.Item name="reversalsNeedApproval" label={t('company.reversals')} valuePropName="checked"><Switch /></Form.Item>
        {editable ? <Button type="primary" htmlType="submit" loading={save.isPending}>{t('company.save')}</Button> : null}
      </Form>
    </Card>
  );
}

export function CompanyPage() {
  const { t } = useTranslation('admin');
  const session = useSignedIn();
  const { can } = useSession();
  const editable = can('company.manage');
  const c = session.company;
  return (
    <>
      <PageTitle title={t('company.title')} />
      {!editable ? <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('company.readOnly')} /> : null}
      <Row gutter={[16, 16]}>
        <Col span={24}>
          <Card title={t('company.identity')}>
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }}>
              <Descriptions.Item label={t('company.name')}>{c.name}</Descriptions.Item>
              <Descriptions.Item label={t('company.code')}>{c.code}</Descriptions.Item>
              <Descriptions.Item label={t('company.currency')}>{c.currency}</Descriptions.Item>
              <Descriptions.Item label={t('company.timeZone')}>{c.timeZone}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={12}><StatementCard editable={editable} /></Col>
        <Col xs={24} xl={12}><ApprovalCard editable={editable} currency={c.currency} /></Col>
      </Row>
    </>
  );
}
