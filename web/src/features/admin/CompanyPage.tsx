/**
 * The company's settings (公司设置): who it is (read), the letterhead and monthly statement day of statements of
 * account, what needs a second person's approval, and (administrators only) the company's outgoing mail server.
 * Everyone with the page reads them; an administrator (company.manage) changes them, each card saved on its own and
 * audited by the API.
 */
import { useEffect } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Descriptions, Form, Input, InputNumber, Popconfirm, Row, Select, Space, Switch } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { errorMessage, showFieldErrors } from '../../shared/errors.ts';

interface StatementSettings { address: string | null; statementDay: number | null }
interface ApprovalSettings { writeOffApproval: string | null; creditLimitApproval: string | null; reversalsNeedApproval: boolean }
const AMOUNT = /^\d{1,17}(\.\d{1,4})?$/;

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
    onError: (error) => { showFieldErrors(form, error); },
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
    onError: (error) => { showFieldErrors(form, error); },
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

type Security = 'tls' | 'starttls' | 'none';
interface MailSettings {
  source: 'company' | 'server' | 'none';
  company: { host: string; port: number; security: Security; username: string | null; passwordSet: boolean; fromAddress: string; fromName: string | null; replyTo: string | null } | null;
  server: { from: string } | null;
}
interface MailForm { host: string; port: number; security: Security; username: string; password: string; fromAddress: string; fromName: string; replyTo: string }
const DEFAULT_PORT: Record<Security, number> = { tls: 465, starttls: 587, none: 25 };

/** The company's own outgoing mail server (administrators only: the API answers them alone). */
function MailCard() {
  const { t } = useTranslation('admin');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<MailForm>();
  const [testForm] = Form.useForm<{ to: string }>();
  const settings = useQuery({ queryKey: ['company', 'mail-settings'], queryFn: () => api.get<MailSettings>('/company/mail-settings') });
  const data = settings.data;
  useEffect(() => {
    const c = data?.company;
    form.setFieldsValue(c
      ? { host: c.host, port: c.port, security: c.security, username: c.username ?? '', password: '', fromAddress: c.fromAddress, fromName: c.fromName ?? '', replyTo: c.replyTo ?? '' }
      : { host: '', port: 465, security: 'tls', username: '', password: '', fromAddress: '', fromName: '', replyTo: '' });
  }, [data, form]);
  const done = (text: string) => {
    void message.success(text);
    void client.invalidateQueries({ queryKey: ['company', 'mail-settings'] });
  };
  const save = useMutation({
    mutationFn: (v: MailForm) => api.put<MailSettings>('/company/mail-settings', {
      host: v.host.trim(), port: Number(v.port), security: v.security, username: v.username.trim() || null,
      // An empty password keeps the stored one; with no user name there is none to keep.
      ...(v.password ? { password: v.password } : v.username.trim() ? {} : { password: null }),
      fromAddress: v.fromAddress.trim(), fromName: v.fromName.trim() || null, replyTo: v.replyTo.trim() || null,
    }),
    onSuccess: () => { form.setFieldValue('password', ''); done(t('company.saved')); },
    onError: (error) => { showFieldErrors(form, error); },
  });
  const clear = useMutation({ mutationFn: () => api.delete<MailSettings>('/company/mail-settings'), onSuccess: () => done(t('company.mailCleared')) });
  const test = useMutation({
    mutationFn: (v: { to: string }) => api.post<{ from: string; to: string }>('/company/mail-settings/test', { to: v.to.trim() }),
    onSuccess: (r) => void message.success(t('company.mailTestSent', { from: r.from, to: r.to })),
  });
  const required = { required: true, whitespace: true, message: t('company.required') };
  const email = { type: 'email' as const, message: t('company.emailInvalid') };
  const source = data?.source;
  return (
    <Card title={t('company.mail')}>
      <p style={{ marginTop: 0 }}>{t('company.mailIntro')}</p>
      {settings.error ? <ErrorAlert error={settings.error} /> : null}
      {source ? (
        <Alert type={source === 'none' ? 'warning' : 'info'} showIcon style={{ marginBottom: 12 }}
          message={source === 'company' ? t('company.mailSourceCompany') : source === 'server' ? t('company.mailSourceServer', { from: data?.server?.from ?? '' }) : t('company.mailSourceNone')} />
      ) : null}
      {[save.error, clear.error].map((e, i) => (e ? <Alert key={i} type="error" showIcon style={{ marginBottom: 12 }} message={errorMessage(t, e)} /> : null))}
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}
        onValuesChange={(changed: Partial<MailForm>) => { if (changed.security) form.setFieldValue('port', DEFAULT_PORT[changed.security]); }}>
        <Row gutter={12}>
          <Col xs={24} md={10}><Form.Item name="host" label={t('company.mailHost')} rules={[required]}><Input placeholder="smtp.exmail.qq.com" maxLength={253} /></Form.Item></Col>
          <Col xs={10} md={5}><Form.Item name="port" label={t('company.mailPort')} rules={[{ required: true, message: t('company.required') }]}><InputNumber min={1} max={65535} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
          <Col xs={14} md={9}>
            <Form.Item name="security" label={t('company.mailSecurity')}>
              <Select options={[{ value: 'tls', label: t('company.mailSecurityTls') }, { value: 'starttls', label: t('company.mailSecurityStarttls') }, { value: 'none', label: t('company.mailSecurityNone') }]} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}><Form.Item name="username" label={t('company.mailUser')}><Input autoComplete="off" maxLength={254} placeholder="ar@example.com" /></Form.Item></Col>
          <Col xs={24} md={12}>
            <Form.Item name="password" label={t('company.mailPassword')} extra={data?.company?.passwordSet ? t('company.mailPasswordKeep') : t('company.mailPasswordHint')}>
              <Input.Password autoComplete="new-password" maxLength={1000} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}><Form.Item name="fromAddress" label={t('company.mailFromAddress')} rules={[required, email]}><Input maxLength={254} placeholder="ar@example.com" /></Form.Item></Col>
          <Col xs={24} md={12}><Form.Item name="fromName" label={t('company.mailFromName')}><Input maxLength={200} placeholder="应收账款部" /></Form.Item></Col>
          <Col span={24}><Form.Item name="replyTo" label={t('company.mailReplyTo')} extra={t('company.mailReplyToHint')} rules={[email]}><Input maxLength={254} /></Form.Item></Col>
        </Row>
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={save.isPending}>{t('company.save')}</Button>
          {data?.company ? (
            <Popconfirm title={t('company.mailClearConfirm')} onConfirm={() => clear.mutate()} okText={t('common:actions.confirm')} cancelText={t('common:actions.cancel')}>
              <Button loading={clear.isPending}>{t('company.mailClear')}</Button>
            </Popconfirm>
          ) : null}
        </Space>
      </Form>
      {source && source !== 'none' ? (
        <Form form={testForm} layout="inline" style={{ marginTop: 16 }} onFinish={(v) => test.mutate(v)}>
          <Form.Item name="to" label={t('company.mailTestTo')} rules={[required, email]}><Input style={{ width: 240 }} maxLength={254} /></Form.Item>
          <Button htmlType="submit" loading={test.isPending}>{t('company.mailTest')}</Button>
        </Form>
      ) : null}
      {test.error ? <Alert type="error" showIcon style={{ marginTop: 12 }} message={errorMessage(t, test.error)} /> : null}
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
        {editable ? <Col xs={24} xl={12}><MailCard /></Col> : null}
      </Row>
    </>
  );
}
