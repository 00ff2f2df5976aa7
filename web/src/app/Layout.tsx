/** The frame around every signed-in screen: navigation by module (what the role may open), company, user, language. */
import { useMemo, useState } from 'react';
import { Badge, Button, Dropdown, Layout, Menu, Select, Space, Tag, Typography, type MenuProps } from 'antd';
import {
  AuditOutlined, CheckSquareOutlined, DollarOutlined, FileTextOutlined, LogoutOutlined, TeamOutlined, UserOutlined,
  SafetyOutlined, BarChartOutlined, PhoneOutlined, BankOutlined, LineChartOutlined, KeyOutlined, FundOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useSignedIn, useSession } from '../auth/session.tsx';
import { setLanguage, type Language } from '../i18n/index.ts';
import { useApprovalsToDecide } from '../features/approvals/api.ts';

interface NavEntry {
  key: string;
  label: React.ReactNode;
  icon: React.ReactNode;
  permission?: string;
}

export function AppLayout() {
  const { t, i18n } = useTranslation();
  const session = useSignedIn();
  const { can, signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState(false);
  const toDecide = useApprovalsToDecide();

  const items = useMemo<MenuProps['items']>(() => {
    const group = (key: string, label: string, entries: NavEntry[]) => {
      const children = entries
        .filter((e) => !e.permission || can(e.permission))
        .map((e) => ({ key: e.key, icon: e.icon, label: <Link to={e.key}>{e.label}</Link> }));
      return children.length ? [{ type: 'group' as const, key, label, children }] : [];
    };
    const coming = [
      { key: 'kpis', label: t('aging:nav.kpis'), icon: <FundOutlined /> },
      { key: 'credit', label: t('nav.credit'), icon: <SafetyOutlined /> },
      { key: 'collections', label: t('nav.collections'), icon: <PhoneOutlined /> },
      { key: 'cash', label: t('nav.cashApplication'), icon: <BankOutlined /> },
      { key: 'forecast', label: t('nav.forecast'), icon: <LineChartOutlined /> },
    ].map((e) => ({ key: `coming-${e.key}`, icon: e.icon, disabled: true, title: t('nav.comingHint'), label: e.label }));
    return [
      ...group('ledger', t('nav.ledger'), [
        { key: '/customers', label: t('nav.customers'), icon: <TeamOutlined />, permission: 'customers.read' },
        { key: '/documents', label: t('nav.documents'), icon: <FileTextOutlined />, permission: 'documents.read' },
        { key: '/payments/new', label: t('nav.recordPayment'), icon: <DollarOutlined />, permission: 'documents.post' },
      ]),
      ...group('reports', t('aging:nav.reports'), [
        { key: '/aging', label: t('aging:nav.aging'), icon: <BarChartOutlined />, permission: 'customers.read' },
      ]),
      ...group('control', t('nav.control'), [
        {
          key: '/approvals', icon: <CheckSquareOutlined />,
          label: toDecide.count > 0
            // The count is a visual cue (its title says it in words); the link's name stays "Approvals".
            ? <Space size={6}>{t('nav.approvals')}<span aria-hidden><Badge size="small" count={toDecide.more ? `${toDecide.count}+` : toDecide.count} title={t('approvals:badge', { count: toDecide.count })} /></span></Space>
            : t('nav.approvals'),
        },
        { key: '/audit', label: t('nav.audit'), icon: <AuditOutlined />, permission: 'audit.read' },
      ]),
      ...group('admin', t('nav.admin'), [
        { key: '/admin/users', label: t('nav.users'), icon: <KeyOutlined />, permission: 'users.read' },
      ]),
      { type: 'group' as const, key: 'coming', label: t('nav.coming'), children: coming },
    ];
  }, [t, can, toDecide.count, toDecide.more]);

  const selected = ['/payments/new', '/customers', '/documents', '/aging', '/approvals', '/audit', '/admin/users'].find((k) => location.pathname.startsWith(k));

  const userMenu: MenuProps = {
    items: [
      { key: 'password', icon: <KeyOutlined />, label: t('header.changePassword') },
      { type: 'divider' },
      { key: 'sign-out', icon: <LogoutOutlined />, label: t('header.signOut') },
      { key: 'sign-out-everywhere', icon: <LogoutOutlined />, label: t('header.signOutEverywhere') },
    ],
    onClick: async ({ key }) => {
      if (key === 'password') navigate('/password');
      if (key === 'sign-out') await signOut();
      if (key === 'sign-out-everywhere') await signOut(true);
    },
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">{t('nav.skipToContent')}</a>
      <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={224} theme="light" breakpoint="lg">
        <Link to="/" className="brand" aria-label="arflow">
          <span className="brand-mark">ar</span>
          {collapsed ? null : <span className="brand-name">arflow <small>{t('app.tagline')}</small></span>}
        </Link>
        <nav aria-label={t('nav.ledger')}>
          <Menu mode="inline" items={items} selectedKeys={selected ? [selected] : []} />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="app-header">
          <Space>
            <Typography.Text strong>{session.company.name}</Typography.Text>
            <Tag>{session.company.code}</Tag>
            <Tag color="blue">{session.company.currency}</Tag>
          </Space>
          <Space size="middle">
            <Select<Language>
              aria-label={t('header.language')}
              size="small"
              value={i18n.language as Language}
              onChange={setLanguage}
              options={[{ value: 'zh-CN', label: '中文' }, { value: 'en', label: 'English' }]}
              style={{ width: 100 }}
            />
            <Dropdown menu={userMenu} trigger={['click']}>
              <Button type="text" icon={<UserOutlined />} aria-haspopup="menu">
                {session.user.name ?? session.user.email} · {t(`roles.${session.user.role}`)}
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content id="main" tabIndex={-1} className="app-content">
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
