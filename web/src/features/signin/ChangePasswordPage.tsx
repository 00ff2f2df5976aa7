/** Choose a new password: required after signing in with a one-time password, available from the user menu. */
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, message } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { showFieldErrors } from '../../shared/errors.ts';

export function ChangePasswordPage() {
  const { t } = useTranslation('signin');
  const { session, refresh } = useSession();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const first = session?.user.mustChangePassword ?? false;

  const submit = async (values: { currentPassword: string; newPassword: string }) => {
    setBusy(true);
    setError(null);
    try {
      await api.post('/session/password', { currentPassword: values.currentPassword, newPassword: values.newPassword });
      await refresh();
      void message.success(t('changed'));
      navigate('/', { replace: true });
    } catch (e) {
      showFieldErrors(form, e);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className={first ? 'sign-in' : undefined}>
      <Card style={{ maxWidth: 440, width: '100%' }}>
        <PageTitle title={t('changeTitle')} />
        {first ? <Alert type="warning" showIcon title={t('changeFirst')} style={{ margin: '12px 0' }} /> : null}
        {error ? <div style={{ marginBottom: 12 }}><ErrorAlert error={error} /></div> : null}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item label={t('current')} name="currentPassword" rules={[{ required: true, message: t('passwordRequired') }]}>
            <Input.Password autoComplete="current-password" autoFocus />
          </Form.Item>
          <Form.Item label={t('next')} name="newPassword" extra={t('nextHelp')} rules={[{ required: true, min: 12, message: t('nextHelp') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            label={t('repeat')}
            name="repeat"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: t('mismatch') },
              ({ getFieldValue }) => ({ validator: (_r, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('mismatch')))) }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>{t('changeSubmit')}</Button>
        </Form>
      </Card>
    </main>
  );
}
