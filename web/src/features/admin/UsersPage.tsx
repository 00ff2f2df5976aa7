/**
 * Users and roles: the company's users (create, change role/handle/language, disable, reset the password), API
 * tokens (issue, revoke) and the read-only matrix of what each role may do. One-time passwords and token secrets
 * are shown once, in a dialog with a copy button. The API's refusals (the last administrator, one's own role, a
 * taken email or handle) are shown in words.
 */
import { useState } from 'react';
import {
  Alert, App, Button, DatePicker, Form, Input, Modal, Popconfirm, Select, Space, Table, Tabs, Tag, Tooltip, Typography,
  type TableColumnsType,
} from 'antd';
import { CheckOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { api, ApiError, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn, type Role } from '../../auth/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { showFieldErrors } from '../../shared/errors.ts';
import { formatInstant } from '../../shared/format.ts';

const ROLES: Role[] = ['admin', 'finance_manager', 'credit_manager', 'collector', 'sales', 'auditor', 'viewer'];
const FIELD_OF_CODE: Record<string, string> = { EMAIL_TAKEN: 'email', HANDLE_TAKEN: 'handle', LAST_ADMIN: 'role', SELF_CHANGE: 'role' };

interface User {
  id: string;
  email: string;
  name: string;
  handle: string;
  role: Role;
  status: 'active' | 'disabled';
  mustChangePassword: boolean;
  locale: 'zh-CN' | 'en' | null;
  version: number;
  lastSignInAt?: string | null;
}

interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const USERS_KEY = ['users'];
const TOKENS_KEY = ['tokens'];

function useInstant() {
  const { i18n } = useTranslation();
  const session = useSignedIn();
  return (instant: string | null | undefined) => formatInstant(instant, i18n.language, session.company.timeZone);
}

/** A form's API error: a refusal of a field (taken email, last administrator…) lands on it in words, field errors on theirs. */
function placeError(form: ReturnType<typeof Form.useForm>[0], error: unknown, t: (key: string) => string): void {
  const field = error instanceof ApiError ? FIELD_OF_CODE[error.code] : undefined;
  if (field && error instanceof ApiError) form.setFields([{ name: field, errors: [t(`errors.${error.code}`)] }]);
  else showFieldErrors(form, error);
}

/** A secret shown once: a one-time password or an API token, with a copy button; closed only on purpose. */
function ShownOnce({ title, text, secret, onClose }: { title: string; text: string; secret: string; onClose: () => void }) {
  const { t } = useTranslation('admin');
  return (
    <Modal
      open
      title={title}
      closable={false}
      mask={{ closable: false }}
      keyboard={false}
      footer={<Button type="primary" icon={<CheckOutlined />} onClick={onClose}>{t('otp.done')}</Button>}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert type="warning" showIcon title={text} />
        <div data-testid="shown-secret" style={{ padding: '12px 16px', background: '#f6f8fa', border: '1px solid #eaecf0', borderRadius: 6, wordBreak: 'break-all' }}>
          <Typography.Text
            copyable={{ text: secret, tooltips: [t('otp.copy'), t('otp.copied')] }}
            style={{ fontSize: secret.length > 24 ? 15 : 20, letterSpacing: 1, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' }}
          >
            {secret}
          </Typography.Text>
        </div>
      </Space>
    </Modal>
  );
}

function UserDialog({ user, onClose, onPassword }: { user: User | null; onClose: () => void; onPassword: (email: string, password: string) => void }) {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const session = useSignedIn();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const [key] = useState(newIdempotencyKey);
  const self = user?.id === session.user.id;
  const role = Form.useWatch('role', form) as Role | undefined;
  const mutation = useMutation({
    mutationFn: async (values: Record<string, string | undefined>) => {
      const locale = values.locale === 'default' ? null : values.locale;
      if (!user) {
        return api.post<{ user: User; oneTimePassword: string | null }>('/users', {
          email: values.email, name: values.name, role: values.role, ...(values.handle ? { handle: values.handle } : {}), ...(locale ? { locale } : {}),
        }, key);
      }
      const patch: Record<string, unknown> = { version: user.version, name: values.name, locale };
      if (values.handle && values.handle !== user.handle) patch.handle = values.handle;
      if (values.role !== user.role) patch.role = values.role;
      return { user: await api.patch<User>(`/users/${user.id}`, patch), oneTimePassword: null };
    },
    onSuccess: (result) => {
      void client.invalidateQueries({ queryKey: USERS_KEY });
      void message.success(user ? t('users.saved') : t('users.created'));
      onClose();
      if (result.oneTimePassword) onPassword(result.user.email, result.oneTimePassword);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'STALE_VERSION') void client.invalidateQueries({ queryKey: USERS_KEY });
      placeError(form, error, t);
    },
  });
  const placed = mutation.error instanceof ApiError && FIELD_OF_CODE[mutation.error.code] !== undefined;
  return (
    <Modal
      open
      title={user ? t('users.editTitle', { email: user.email }) : t('users.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={user ? t('common:actions.save') : t('common:actions.create')}
      okButtonProps={{ loading: mutation.isPending }}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={user ? { name: user.name, role: user.role, handle: user.handle, locale: user.locale ?? 'default' } : { role: 'viewer', locale: 'default' }}
        onFinish={(values) => mutation.mutate(values)}
      >
        {user ? null : (
          <Form.Item name="email" label={t('users.email')} rules={[{ required: true, message: t('users.required') }, { type: 'email', message: t('users.emailInvalid') }]}>
            <Input type="email" autoComplete="off" autoFocus />
          </Form.Item>
        )}
        <Form.Item name="name" label={t('users.name')} rules={[{ required: true, whitespace: true, message: t('users.required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="role" label={t('users.role')} extra={self ? t('users.selfHint') : undefined}>
          <Select disabled={self} options={ROLES.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))} />
        </Form.Item>
        <Form.Item
          name="handle"
          label={t('users.handle')}
          extra={t('users.handleHint')}
          rules={role === 'collector' || role === 'sales' ? [{ required: !user, whitespace: true, message: t('users.required') }] : []}
        >
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item name="locale" label={t('users.language')}>
          <Select options={[{ value: 'default', label: t('users.languageDefault') }, { value: 'zh-CN', label: t('languages.zh-CN') }, { value: 'en', label: t('languages.en') }]} />
        </Form.Item>
      </Form>
      {mutation.error && !placed ? <ErrorAlert error={mutation.error} ns="admin" /> : null}
    </Modal>
  );
}

function UsersTab() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const { can } = useSession();
  const session = useSignedIn();
  const client = useQueryClient();
  const instant = useInstant();
  const manage = can('users.manage');
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [secret, setSecret] = useState<{ email: string; password: string } | null>(null);
  const users = useQuery({ queryKey: USERS_KEY, queryFn: () => api.get<{ items: User[] }>('/users') });
  const status = useMutation({
    mutationFn: (u: User) => api.patch<User>(`/users/${u.id}`, { version: u.version, status: u.status === 'active' ? 'disabled' : 'active' }),
    onSuccess: (u) => void message.success(u.status === 'active' ? t('users.enabledDone') : t('users.disabledDone')),
    onSettled: () => void client.invalidateQueries({ queryKey: USERS_KEY }),
  });
  const reset = useMutation({
    mutationFn: (u: User) => api.post<{ user: User; oneTimePassword: string }>(`/users/${u.id}/reset-password`),
    onSuccess: (r) => setSecret({ email: r.user.email, password: r.oneTimePassword }),
    onSettled: () => void client.invalidateQueries({ queryKey: USERS_KEY }),
  });

  const columns: TableColumnsType<User> = [
    {
      key: 'email', title: t('users.email'), width: 220,
      render: (_, u) => <Space size={4}><span>{u.email}</span>{u.id === session.user.id ? <Tag>{t('users.you')}</Tag> : null}</Space>,
    },
    { key: 'name', title: t('users.name'), width: 100, dataIndex: 'name' },
    { key: 'role', title: t('users.role'), width: 120, render: (_, u) => t(`common:roles.${u.role}`) },
    { key: 'handle', title: t('users.handle'), width: 100, dataIndex: 'handle' },
    {
      key: 'status', title: t('users.status'), width: 150,
      render: (_, u) => (
        <Space size={4} wrap>
          <Tag color={u.status === 'active' ? 'green' : 'default'}>{t(`users.${u.status}`)}</Tag>
          {u.mustChangePassword ? <Tag color="gold">{t('users.mustChange')}</Tag> : null}
        </Space>
      ),
    },
    { key: 'lastSignIn', title: t('users.lastSignIn'), width: 160, render: (_, u) => (u.lastSignInAt ? <span className="amount">{instant(u.lastSignInAt)}</span> : <Typography.Text type="secondary">{t('users.never')}</Typography.Text>) },
    ...(manage ? [{
      key: 'actions', title: t('users.actions'), width: 250,
      render: (_: unknown, u: User) => {
        const self = u.id === session.user.id;
        return (
          <Space size={0} wrap>
            <Button type="link" size="small" onClick={() => setEditing(u)} aria-label={`${t('users.edit')} ${u.email}`}>{t('users.edit')}</Button>
            <Popconfirm title={t('users.resetConfirm', { email: u.email })} onConfirm={() => reset.mutate(u)} okText={t('common:actions.confirm')} cancelText={t('common:actions.cancel')}>
              <Button type="link" size="small" aria-label={`${t('users.resetPassword')} ${u.email}`}>{t('users.resetPassword')}</Button>
            </Popconfirm>
            {self ? (
              <Tooltip title={t('users.selfHint')}><Button type="link" size="small" disabled>{t('users.disable')}</Button></Tooltip>
            ) : (
              <Popconfirm
                title={u.status === 'active' ? t('users.disableConfirm', { email: u.email }) : t('users.enableConfirm', { email: u.email })}
                onConfirm={() => status.mutate(u)}
                okText={t('common:actions.confirm')}
                cancelText={t('common:actions.cancel')}
                okButtonProps={{ danger: u.status === 'active' }}
              >
                <Button type="link" size="small" danger={u.status === 'active'} aria-label={`${u.status === 'active' ? t('users.disable') : t('users.enable')} ${u.email}`}>
                  {u.status === 'active' ? t('users.disable') : t('users.enable')}
                </Button>
              </Popconfirm>
            )}
          </Space>
        );
      },
    }] : []),
  ];

  return (
    <>
      <div className="page-title">
        <Typography.Text type="secondary">{t('users.intro')}</Typography.Text>
        {manage ? <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>{t('users.create')}</Button> : null}
      </div>
      {status.error ? <ErrorAlert error={status.error} ns="admin" /> : null}
      {reset.error ? <ErrorAlert error={reset.error} ns="admin" /> : null}
      {users.error ? <ErrorAlert error={users.error} onRetry={() => void users.refetch()} ns="admin" /> : null}
      <Table<User>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={users.data?.items ?? []}
        loading={users.isLoading}
        pagination={false}
        scroll={{ x: 1100 }}
        locale={{ emptyText: users.error ? t('common:states.error') : t('users.empty') }}
      />
      {editing ? (
        <UserDialog
          user={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onPassword={(email, password) => setSecret({ email, password })}
        />
      ) : null}
      {secret ? <ShownOnce title={t('otp.title', { email: secret.email })} text={t('otp.text')} secret={secret.password} onClose={() => setSecret(null)} /> : null}
    </>
  );
}

/** The end of a calendar day in a time zone, as an ISO instant with its offset ('2026-12-31T23:59:59+08:00'). */
function endOfDayIn(date: string, timeZone: string): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(`${date}T12:00:00Z`)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const offset = part === 'GMT' ? '+00:00' : part.slice(3);
  return `${date}T23:59:59${offset}`;
}

function TokenDialog({ onClose, onIssued }: { onClose: () => void; onIssued: (name: string, token: string) => void }) {
  const { t } = useTranslation('admin');
  const session = useSignedIn();
  const client = useQueryClient();
  const [form] = Form.useForm();
  const [key] = useState(newIdempotencyKey);
  const mutation = useMutation({
    mutationFn: (values: { name: string; role: Role; expires?: Dayjs | null }) => api.post<{ token: string; apiToken: ApiToken }>('/tokens', {
      name: values.name, role: values.role, ...(values.expires ? { expiresAt: endOfDayIn(values.expires.format('YYYY-MM-DD'), session.company.timeZone) } : {}),
    }, key),
    onSuccess: (result) => {
      void client.invalidateQueries({ queryKey: TOKENS_KEY });
      onClose();
      onIssued(result.apiToken.name, result.token);
    },
    onError: (error) => showFieldErrors(form, error),
  });
  return (
    <Modal open title={t('tokens.create')} onCancel={onClose} onOk={() => form.submit()} okText={t('common:actions.create')} okButtonProps={{ loading: mutation.isPending }} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ role: 'viewer' }} onFinish={(values) => mutation.mutate(values)}>
        <Form.Item name="name" label={t('tokens.name')} rules={[{ required: true, whitespace: true, message: t('users.required') }]}>
          <Input maxLength={100} autoFocus />
        </Form.Item>
        <Form.Item name="role" label={t('tokens.role')}>
          <Select options={ROLES.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))} />
        </Form.Item>
        <Form.Item name="expires" label={t('tokens.expiresAt')} extra={t('tokens.expiryHint')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Form>
      {mutation.error ? <ErrorAlert error={mutation.error} ns="admin" /> : null}
    </Modal>
  );
}

function TokensTab() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const { can } = useSession();
  const client = useQueryClient();
  const instant = useInstant();
  const manage = can('users.manage');
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<{ name: string; token: string } | null>(null);
  const tokens = useQuery({ queryKey: TOKENS_KEY, queryFn: () => api.get<{ items: ApiToken[] }>('/tokens') });
  const revoke = useMutation({
    mutationFn: (token: ApiToken) => api.post<ApiToken>(`/tokens/${token.id}/revoke`),
    onSuccess: () => void message.success(t('tokens.revokedDone')),
    onSettled: () => void client.invalidateQueries({ queryKey: TOKENS_KEY }),
  });
  const state = (k: ApiToken) => (k.revokedAt ? 'revoked' : k.expiresAt && new Date(k.expiresAt).getTime() <= Date.now() ? 'expired' : 'active');
  const columns: TableColumnsType<ApiToken> = [
    { key: 'name', title: t('tokens.name'), width: 160, dataIndex: 'name' },
    { key: 'prefix', title: t('tokens.prefix'), width: 100, render: (_, k) => <Typography.Text code>{k.prefix}…</Typography.Text> },
    { key: 'role', title: t('tokens.role'), width: 120, render: (_, k) => t(`common:roles.${k.role}`) },
    {
      key: 'created', title: t('tokens.createdAt'), width: 230,
      render: (_, k) => <Space orientation="vertical" size={0}><span className="amount">{instant(k.createdAt)}</span><Typography.Text type="secondary">{k.createdBy}</Typography.Text></Space>,
    },
    { key: 'expiresAt', title: t('tokens.expiresAt'), width: 160, render: (_, k) => (k.expiresAt ? <span className="amount">{instant(k.expiresAt)}</span> : t('tokens.noExpiry')) },
    { key: 'lastUsedAt', title: t('tokens.lastUsedAt'), width: 160, render: (_, k) => (k.lastUsedAt ? <span className="amount">{instant(k.lastUsedAt)}</span> : <Typography.Text type="secondary">{t('tokens.never')}</Typography.Text>) },
    {
      key: 'status', title: t('tokens.status'), width: 90,
      render: (_, k) => <Tag color={state(k) === 'active' ? 'green' : 'default'}>{t(`tokens.${state(k)}`)}</Tag>,
    },
    ...(manage ? [{
      key: 'actions', title: t('tokens.actions'), width: 90,
      render: (_: unknown, k: ApiToken) => (k.revokedAt ? null : (
        <Popconfirm title={t('tokens.revokeConfirm', { name: k.name })} onConfirm={() => revoke.mutate(k)} okText={t('common:actions.confirm')} cancelText={t('common:actions.cancel')} okButtonProps={{ danger: true }}>
          <Button type="link" size="small" danger aria-label={`${t('tokens.revoke')} ${k.name}`}>{t('tokens.revoke')}</Button>
        </Popconfirm>
      )),
    }] : []),
  ];
  return (
    <>
      <div className="page-title">
        <Typography.Text type="secondary">{t('tokens.intro')}</Typography.Text>
        {manage ? <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('tokens.create')}</Button> : null}
      </div>
      {revoke.error ? <ErrorAlert error={revoke.error} ns="admin" /> : null}
      {tokens.error ? <ErrorAlert error={tokens.error} onRetry={() => void tokens.refetch()} ns="admin" /> : null}
      <Table<ApiToken>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={tokens.data?.items ?? []}
        loading={tokens.isLoading}
        pagination={false}
        scroll={{ x: 1100 }}
        locale={{ emptyText: tokens.error ? t('common:states.error') : t('tokens.empty') }}
      />
      {creating ? <TokenDialog onClose={() => setCreating(false)} onIssued={(name, token) => setIssued({ name, token })} /> : null}
      {issued ? <ShownOnce title={t('tokens.shownTitle', { name: issued.name })} text={t('tokens.shownText')} secret={issued.token} onClose={() => setIssued(null)} /> : null}
    </>
  );
}

interface RolesAnswer {
  roles: { role: Role; permissions: string[] }[];
  permissions: { permission: string; description: string }[];
}

function RolesTab() {
  const { t } = useTranslation('admin');
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => api.get<RolesAnswer>('/roles'), staleTime: Infinity });
  const data = roles.data;
  const columns: TableColumnsType<RolesAnswer['permissions'][number]> = [
    {
      key: 'permission', title: t('roles.permission'), fixed: 'left', width: 360,
      render: (_, p) => (
        <Space orientation="vertical" size={0}>
          <span>{t(`permissions.${p.permission}`, { defaultValue: p.description })}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{p.permission}</Typography.Text>
        </Space>
      ),
    },
    ...(data?.roles ?? []).map((r) => ({
      key: r.role, title: t(`common:roles.${r.role}`), width: 100, align: 'center' as const,
      render: (_: unknown, p: RolesAnswer['permissions'][number]) => (r.permissions.includes(p.permission)
        ? <CheckOutlined style={{ color: '#389e0d' }} aria-label={t('roles.granted')} role="img" />
        : <span aria-label={t('roles.notGranted')} role="img" style={{ color: '#d0d5dd' }}>·</span>),
    })),
  ];
  return (
    <>
      <Typography.Paragraph type="secondary">{t('roles.intro')}</Typography.Paragraph>
      {roles.error ? <ErrorAlert error={roles.error} onRetry={() => void roles.refetch()} ns="admin" /> : null}
      <Table
        rowKey="permission"
        size="small"
        bordered
        columns={columns}
        dataSource={data?.permissions ?? []}
        loading={roles.isLoading}
        pagination={false}
        scroll={{ x: 1100 }}
      />
    </>
  );
}

export function UsersPage() {
  const { t } = useTranslation('admin');
  const [params, setParams] = useSearchParams();
  const tabs = ['users', 'tokens', 'roles'] as const;
  const asked = params.get('tab');
  const tab = tabs.find((k) => k === asked) ?? 'users';
  return (
    <>
      <PageTitle title={t('title')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams({ tab: key })}
        items={tabs.map((key) => ({
          key,
          label: t(`tabs.${key}`),
          children: tab !== key ? null : key === 'users' ? <UsersTab /> : key === 'tokens' ? <TokensTab /> : <RolesTab />,
        }))}
      />
    </>
  );
}
