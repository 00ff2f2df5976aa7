/** Sign in with email and password; the language can be chosen before signing in. */
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import { LockOutlined, MailOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router-dom';
import { useSession } from '../../auth/session.tsx';
import { setLanguage, type Language } from '../../i18n/index.ts';
import { ErrorAlert } from '../../shared/components.tsx';

export function SignInPage() {
  const { t, i18n } = useTranslation('signin');
  const { signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  document.title = `${t('title')}`;

  const submit = async (values: { email: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const session = await signIn(values.email.trim(), values.password);
      const from = (location.state as { from?: string } | null)?.from;
      navigate(session.user.mustChangePassword ? '/password' : from && from !== '/sign-in' ? from : '/', { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <Card style={{ width: 400 }}>
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'start' }}>
            <div>
              <Typography.Title level={3} style={{ marginBottom: 4 }}>{t('title')}</Typography.Title>
              <Typography.Text type="secondary">{t('subtitle')}</Typography.Text>
            </div>
            <Select<Language>
              aria-label={t('common:header.language')}
              size="small"
              value={i18n.language as Language}
              onChange={setLanguage}
              options={[{ value: 'zh-CN', label: '中文' }, { value: 'en', label: 'English' }]}
              style={{ width: 96 }}
            />
          </div>
          {error ? <ErrorAlert error={error} /> : null}
          <Form layout="vertical" onFinish={submit} requiredMark={false}>
            <Form.Item label={t('email')} name="email" rules={[{ required: true, message: t('emailRequired') }]}>
              <Input prefix={<MailOutlined />} type="email" autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item label={t('password')} name="password" rules={[{ required: true, message: t('passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>{t('submit')}</Button>
          </Form>
          <Alert type="info" title={t('demoHint')} />
        </Space>
      </Card>
    </main>
  );
}
