/** The frame around every signed-in screen: navigation by module (what the role may open), company, user, language. */
import { useMemo, useState } from 'react';
import { Badge, Button, Dropdown, Layout, Menu, Select, Space, Tag, Typography, type MenuProps } from 'antd';
import {
  AuditOutlined, CheckSquareOutlined, DollarOutlined, FileTextOutlined, LogoutOutlined, TeamOutlined, UserOutlined,
  SafetyOutlined, SolutionOutlined, SettingOutlined, BarChartOutlined, PhoneOutlined, BankOutlined, WalletOutlined, LineChartOutlined, KeyOutlined, FundOutlined,
  MailOutlined, ProfileOutlined,
} from '@ant-design/icons';
import { AccountBookOutlined } from '@ant-design/icons';
import { AlertOutlined, ControlOutlined } from '@ant-design/icons';
import { AimOutlined, FolderOpenOutlined, ImportOutlined, IssuesCloseOutlined, OrderedListOutlined, ScheduleOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useSignedIn, useSession } from '../auth/session.tsx';
import { setLanguage, type Language } from '../i18n/index.ts';
import { useApprovalsToDecide } from '../features/approvals/api.ts';
import { useOpenAlertCount } from '../features/alerts/api.ts';

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
  const openAlerts = useOpenAlertCount();

  const items = useMemo<MenuProps['items']>(() => {
    const group = (key: string, label: string, entries: NavEntry[]) => {
      const children = entries
        .filter((e) => !e.permission || can(e.permission))
        .map((e) => ({ key: e.key, icon: e.icon, label: <Link to={e.key}>{e.label}</Link> }));
      return children.length ? [{ type: 'group' as const, key, label, children }] : [];
    };
    const coming = [
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
        { key: '/kpis', label: t('kpis:nav'), icon: <FundOutlined />, permission: 'customers.read' },
        { key: '/provision', label: t('provision:nav'), icon: <AccountBookOutlined />, permission: 'provision.read' },
        { key: '/statements', label: t('statements:nav.statements'), icon: <ProfileOutlined />, permission: 'customers.read' },
        { key: '/confirmations', label: t('statements:nav.confirmations'), icon: <MailOutlined />, permission: 'confirmations.read' },
      ]),
      ...group('credit', t('nav.credit'), [
        { key: '/credit', label: t('creditControl:nav'), icon: <SafetyOutlined />, permission: 'customers.read' },
        { key: '/credit/reviews', label: t('credit:nav'), icon: <SolutionOutlined />, permission: 'credit.read' },
        {
          key: '/alerts', icon: <AlertOutlined />, permission: 'alerts.read',
          label: openAlerts > 0
            ? <Space size={6}>{t('alerts:nav')}<span aria-hidden><Badge size="small" count={openAlerts} title={t('alerts:badge', { count: openAlerts })} /></span></Space>
            : t('alerts:nav'),
        },
        { key: '/alerts/settings', label: t('alerts:navSettings'), icon: <ControlOutlined />, permission: 'alerts.read' },
      ]),
      ...group('collections', t('collections:nav.group'), [
        { key: '/disputes', label: t('collections:nav.disputes'), icon: <IssuesCloseOutlined />, permission: 'customers.read' },
        { key: '/worklist', label: t('worklist:nav'), icon: <OrderedListOutlined />, permission: 'customers.read' },
        { key: '/dunning', label: t('dunning:nav'), icon: <PhoneOutlined />, permission: 'customers.read' },
        { key: '/payment-plans', label: t('plans:nav.plans'), icon: <ScheduleOutlined />, permission: 'customers.read' },
        { key: '/escalations', label: t('plans:nav.escalations'), icon: <FolderOpenOutlined />, permission: 'customers.read' },
        { key: '/collectors/targets', label: t('plans:nav.targets'), icon: <AimOutlined />, permission: 'customers.read' },
      ]),
      ...group('cash', t('bank:nav.group'), [
        { key: '/bank', label: t('bank:nav.import'), icon: <ImportOutlined />, permission: 'bank.import' },
        { key: '/bank/statements', label: t('bank:nav.history'), icon: <UnorderedListOutlined />, permission: 'documents.read' },
        { key: '/bank/matching', label: t('nav.matching'), icon: <BankOutlined />, permission: 'documents.read' },
        { key: '/bank/unapplied', label: t('bank:nav.unapplied'), icon: <WalletOutlined />, permission: 'customers.read' },
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
        { key: '/admin/company', label: t('admin:company.nav'), icon: <SettingOutlined />, permission: 'company.manage' },
      ]),
      { type: 'group' as const, key: 'coming', label: t('nav.coming'), children: coming },
    ];
  }, [t, can, toDecide.count, toDecide.more, openAlerts]);

  const selected = ['/payments/new', '/customers', '/documents', '/aging', '/kpis', '/provision', '/credit/reviews', '/credit', '/alerts/settings', '/alerts', '/disputes', '/worklist', '/dunning', '/payment-plans', '/escalations', '/collectors/targets', '/bank/statements', '/bank/matching', '/bank/unapplied', '/bank', '/statements', '/confirmations', '/approvals', '/audit', '/admin/users', '/admin/company'].find((k) => location.pathname.startsWith(k));

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
