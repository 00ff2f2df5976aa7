/**
 * One customer: profile and group, contacts, balance per currency as of the company's today, open items (oldest due
 * first) and documents, both paged. A customer that does not exist, or is not the user's to see (a collector's
 * other customers answer 404), shows a not-found page.
 */
import { useEffect, useState } from 'react';
import { CreditPanel } from '../credit/CreditPanel.tsx';
import { MatchingKnowledgeCard } from '../bank/MatchingKnowledgeCard.tsx';
import { CollectionsCard } from '../collections/CollectionsCard.tsx';
import { Alert, App as AntApp, Breadcrumb, Button, Card, Col, Descriptions, Empty, Result, Row, Skeleton, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { DollarOutlined, EditOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient, keepPreviousData } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, type Page } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { Amount, CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { formatDate, formatInstant } from '../../shared/format.ts';
import { CustomerFormModal, type SaveOutcome } from './CustomerForm.tsx';
import { SegmentText, StatusTag } from './parts.tsx';
import './customers.css';
import {
  daysBetween, documentPath, type ApprovalRequested, type Contact, type Customer, type CustomerBalance, type DocumentSummary, type OpenItem,
} from './types.ts';

const PAGE_SIZE = 20;

export function CustomerPage() {
  const { code = '' } = useParams();
  const { t } = useTranslation('customers');
  const { can } = useSession();
  const client = useQueryClient();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [awaiting, setAwaiting] = useState<ApprovalRequested['approval'] | null>(null);
  const path = `/customers/${encodeURIComponent(code)}`;

  const customer = useQuery({ queryKey: ['customer', code], queryFn: () => api.get<Customer>(path) });
  const balance = useQuery({ queryKey: ['customer-balance', code], queryFn: () => api.get<CustomerBalance>(`${path}/balance`), enabled: customer.isSuccess });

  const missing = customer.error instanceof ApiError && customer.error.status === 404;
  useEffect(() => {
    if (missing) document.title = `${t('customer.notFoundTitle')} · arflow`;
  }, [missing, t]);

  if (missing) {
    return (
      <Result
        status="404"
        title={t('customer.notFoundTitle')}
        subTitle={t('customer.notFoundText', { code })}
        extra={<Link to="/customers">{t('customer.back')}</Link>}
      />
    );
  }
  if (customer.error) return <ErrorAlert error={customer.error} ns="customers" onRetry={() => void customer.refetch()} />;
  if (!customer.data) return <Skeleton active paragraph={{ rows: 8 }} />;
  const c = customer.data;

  const saved = (outcome: SaveOutcome) => {
    setEditing(false);
    if (outcome.kind === 'approval') {
      setAwaiting(outcome.approval);
      return;
    }
    setAwaiting(null);
    void message.success(t(outcome.kind === 'unchanged' ? 'form.unchanged' : 'form.saved', { code: c.code }));
    void client.invalidateQueries({ queryKey: ['customer', code] });
    void client.invalidateQueries({ queryKey: ['customers'] });
  };

  return (
    <>
      <Breadcrumb style={{ marginBottom: 8 }} items={[{ title: <Link to="/customers">{t('list.title')}</Link> }, { title: c.code }]} />
      <PageTitle
        title={`${c.code} · ${c.name}`}
        extra={(
          <>
            {can('documents.post') ? (
              <Button icon={<DollarOutlined />} onClick={() => navigate(`/payments/new?customer=${encodeURIComponent(c.code)}`)}>{t('common:nav.recordPayment')}</Button>
            ) : null}
            {can('customers.write') ? <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>{t('customer.edit')}</Button> : null}
            <Button onClick={() => navigate(`/statements?customer=${encodeURIComponent(c.code)}`)}>{t('statements:title')}</Button>
            {can('credit.read') ? <Button onClick={() => navigate(`/customers/${encodeURIComponent(c.code)}/credit`)}>{t('credit:open')}</Button> : null}
          </>
        )}
      />
      {awaiting ? (
        <Alert
          type="warning"
          showIcon
          role="status"
          style={{ marginBottom: 16 }}
          title={t('form.awaitingTitle')}
          description={t('form.awaitingText', { code: c.code, summary: awaiting.summary })}
          action={<Link to="/approvals">{t('form.openApprovals')}</Link>}
          closable={{ onClose: () => setAwaiting(null) }}
        />
      ) : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Profile customer={c} />
        </Col>
        <Col xs={24} xl={10}>
          <BalanceCard balance={balance.data} error={balance.error} loading={balance.isLoading} onRetry={() => void balance.refetch()} />
        </Col>
        <Col span={24}>
          <Contacts contacts={c.contacts ?? []} />
        </Col>
        <Col span={24}>
          <CreditPanel code={code} />
        </Col>
        <Col span={24}>
          <CollectionsCard code={code} currency={c.currency} />
        </Col>
        <Col span={24}>
          <OpenItems code={code} asOf={balance.data?.asOf} />
        </Col>
        {can('documents.read') ? (
          <Col span={24}>
            <Documents code={code} />
          </Col>
        ) : null}
        {can('documents.read') ? (
          <Col span={24}>
            <MatchingKnowledgeCard code={code} />
          </Col>
        ) : null}
      </Row>
      {editing ? <CustomerFormModal customer={c} open={editing} onClose={() => setEditing(false)} onSaved={saved} /> : null}
    </>
  );
}

function Profile({ customer: c }: { customer: Customer }) {
  const { t, i18n } = useTranslation('customers');
  const session = useSignedIn();
  const none = '—';
  // A customer with no parent may head a group: one member is enough to say so.
  const members = useQuery({
    queryKey: ['customer-members', c.code],
    queryFn: () => api.get<Page<Customer>>('/customers', { parent: c.code, limit: 1 }),
    enabled: !c.parentCode,
  });
  return (
    <Card title={t('customer.profile')} extra={<StatusTag status={c.status} />} style={{ height: '100%' }}>
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} colon={false} styles={{ label: { width: 120 } }}>
        <Descriptions.Item label={t('columns.code')}>{c.code}</Descriptions.Item>
        <Descriptions.Item label={t('columns.name')}>{c.name}</Descriptions.Item>
        <Descriptions.Item label={t('columns.taxId')}>{c.taxId ? <span className="mono">{c.taxId}</span> : none}</Descriptions.Item>
        <Descriptions.Item label={t('columns.group')}>
          {c.parentCode
            ? <Link to={`/customers/${encodeURIComponent(c.parentCode)}`}>{t('customer.groupMember', { code: c.parentCode })}</Link>
            : members.data?.items.length ? <Link to={`/customers?parent=${encodeURIComponent(c.code)}`}>{t('customer.groupHead')}</Link> : none}
        </Descriptions.Item>
        <Descriptions.Item label={t('columns.segment')}><SegmentText value={c.segment} /></Descriptions.Item>
        <Descriptions.Item label={t('columns.region')}>{c.region ?? none}</Descriptions.Item>
        <Descriptions.Item label={t('customer.industry')}>{c.industry ?? none}</Descriptions.Item>
        <Descriptions.Item label={t('columns.collector')}>{c.collector ?? none}</Descriptions.Item>
        <Descriptions.Item label={t('columns.salesperson')}>{c.salesperson ?? none}</Descriptions.Item>
        <Descriptions.Item label={t('columns.currency')}>{c.currency}</Descriptions.Item>
        <Descriptions.Item label={t('columns.address')} span="filled"><span style={{ whiteSpace: 'pre-line' }}>{c.address ?? none}</span></Descriptions.Item>
        <Descriptions.Item label={t('columns.terms')}>{c.paymentTerms ?? none}</Descriptions.Item>
        <Descriptions.Item label={t('columns.creditLimit')}><Amount value={c.creditLimit} currency={c.currency} /></Descriptions.Item>
        <Descriptions.Item label={t('customer.createdAt')}>{formatInstant(c.createdAt, i18n.language, session.company.timeZone)}</Descriptions.Item>
        <Descriptions.Item label={t('customer.updatedAt')}>{formatInstant(c.updatedAt, i18n.language, session.company.timeZone)} (v{c.version})</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

function BalanceCard({ balance, error, loading, onRetry }: { balance: CustomerBalance | undefined; error: unknown; loading: boolean; onRetry: () => void }) {
  const { t, i18n } = useTranslation('customers');
  return (
    <Card
      title={balance ? t('customer.balanceAsOf', { date: formatDate(balance.asOf, i18n.language) }) : t('customer.balance')}
      style={{ height: '100%' }}
      loading={loading}
    >
      {error ? <ErrorAlert error={error} ns="customers" onRetry={onRetry} /> : null}
      {balance && balance.balances.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customer.noBalance')} /> : null}
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {balance?.balances.map((b) => (
          <section key={b.currency} aria-label={`${t('customer.balance')} ${b.currency}`} className="balance-block" data-currency={b.currency}>
            <Typography.Text type="secondary">{b.currency}</Typography.Text>
            <dl className="balance-figures">
              <dt>{t('customer.receivable')}</dt>
              <dd data-figure="receivable"><Amount value={b.receivable} currency={b.currency} /></dd>
              <dt>{t('customer.unapplied')}</dt>
              <dd data-figure="unapplied"><Amount value={b.unapplied} currency={b.currency} /></dd>
              <dt className="net">{t('customer.net')}</dt>
              <dd className="net" data-figure="net"><Amount value={b.net} currency={b.currency} strong /></dd>
              <dt>{t('customer.overdue')}</dt>
              <dd data-figure="overdue"><Typography.Text type={/^0(\.0+)?$/.test(b.overdue) ? undefined : 'danger'}><Amount value={b.overdue} currency={b.currency} /></Typography.Text></dd>
            </dl>
            <Typography.Text type="secondary">{t('customer.openCount', { items: b.openItems, credits: b.openCredits })}</Typography.Text>
          </section>
        ))}
      </Space>
    </Card>
  );
}

function Contacts({ contacts }: { contacts: Contact[] }) {
  const { t } = useTranslation('customers');
  const columns: TableColumnsType<Contact> = [
    {
      title: t('contact.name'), dataIndex: 'name', key: 'name', width: 300,
      render: (name: string, row) => <Space>{name}{row.isPrimary ? <Tag color="blue">{t('customer.primary')}</Tag> : null}</Space>,
    },
    { title: t('contact.role'), dataIndex: 'role', key: 'role', width: 140, render: (v: string | null) => v ?? '—' },
    { title: t('contact.email'), dataIndex: 'email', key: 'email', render: (v: string | null) => (v ? <a href={`mailto:${v}`}>{v}</a> : '—') },
    { title: t('contact.phone'), dataIndex: 'phone', key: 'phone', width: 180, render: (v: string | null) => (v ? <a href={`tel:${v.replace(/[^+\d]/g, '')}`}>{v}</a> : '—') },
    { title: t('contact.channel'), dataIndex: 'preferredChannel', key: 'channel', width: 140, render: (v: string) => t(`channel.${v}`) },
    { title: t('contact.language'), dataIndex: 'language', key: 'language', width: 100, render: (v: string) => t(`language.${v}`) },
  ];
  return (
    <Card title={t('customer.contacts')}>
      <Table<Contact> rowKey={(c) => c.id ?? c.name} size="small" columns={columns} dataSource={contacts} pagination={false}
        locale={{ emptyText: t('customer.noContacts') }} aria-label={t('customer.contacts')} />
    </Card>
  );
}

function OpenItems({ code, asOf }: { code: string; asOf: string | undefined }) {
  const { t, i18n } = useTranslation('customers');
  const paging = useCursorPaging(code);
  const items = useQuery({
    queryKey: ['customer-open-items', code, paging.cursor],
    queryFn: () => api.get<Page<OpenItem>>(`/customers/${encodeURIComponent(code)}/open-items`, { limit: PAGE_SIZE, cursor: paging.cursor }),
    placeholderData: keepPreviousData,
  });
  const columns: TableColumnsType<OpenItem> = [
    {
      title: t('openItem.document'), key: 'document', width: 170,
      render: (_: unknown, row) => <Link to={documentPath({ kind: row.kind, number: row.number })}>{row.number}</Link>,
    },
    {
      title: t('openItem.kind'), dataIndex: 'kind', key: 'kind', width: 130,
      render: (kind: string, row) => <Space size={4}>{t(`common:kinds.${kind}`, { defaultValue: kind })}{row.side === 'credit' ? <Tag color="green">{t('openItem.credit')}</Tag> : null}</Space>,
    },
    { title: t('openItem.installment'), dataIndex: 'installment', key: 'installment', width: 90, align: 'right' },
    { title: t('openItem.documentDate'), dataIndex: 'documentDate', key: 'documentDate', width: 130, render: (d: string) => formatDate(d, i18n.language) },
    { title: t('openItem.dueDate'), dataIndex: 'dueDate', key: 'dueDate', width: 130, render: (d: string | null) => formatDate(d, i18n.language) },
    {
      title: t('openItem.daysOverdue'), key: 'daysOverdue', width: 110, align: 'right',
      render: (_: unknown, row) => {
        if (!asOf || row.side !== 'debit' || !row.dueDate) return '—';
        const days = daysBetween(row.dueDate, asOf);
        return days > 0 ? <Typography.Text type="danger" className="amount">{days}</Typography.Text> : '—';
      },
    },
    { title: t('openItem.amount'), dataIndex: 'amount', key: 'amount', width: 160, align: 'right', render: (v: string, row) => <Amount value={v} currency={row.currency} /> },
    {
      title: t('openItem.open'), dataIndex: 'open', key: 'open', width: 160, align: 'right',
      // A credit lowers what the customer owes: shown below zero, as in the net balance.
      render: (v: string, row) => <span data-open={v} data-side={row.side}><Amount value={row.side === 'credit' ? `-${v}` : v} currency={row.currency} /></span>,
    },
  ];
  return (
    <Card title={t('customer.openItems')}>
      {items.error ? <div style={{ marginBottom: 12 }}><ErrorAlert error={items.error} ns="customers" onRetry={() => void items.refetch()} /></div> : null}
      <Table<OpenItem> rowKey="itemId" size="small" columns={columns} dataSource={items.data?.items ?? []} loading={items.isFetching}
        pagination={false} scroll={{ x: 1000 }} aria-label={t('customer.openItems')}
        locale={{ emptyText: items.error ? t('common:states.error') : t('customer.noOpenItems') }} />
      <CursorPager paging={paging} nextCursor={items.data?.nextCursor} loading={items.isFetching} />
    </Card>
  );
}

function Documents({ code }: { code: string }) {
  const { t, i18n } = useTranslation('customers');
  const paging = useCursorPaging(code);
  const docs = useQuery({
    queryKey: ['customer-documents', code, paging.cursor],
    queryFn: () => api.get<Page<DocumentSummary>>('/documents', { customer: code, limit: PAGE_SIZE, cursor: paging.cursor }),
    placeholderData: keepPreviousData,
  });
  const columns: TableColumnsType<DocumentSummary> = [
    { title: t('document.number'), dataIndex: 'number', key: 'number', width: 170, render: (n: string, row) => <Link to={documentPath({ id: row.id })}>{n}</Link> },
    { title: t('document.kind'), dataIndex: 'kind', key: 'kind', width: 130, render: (k: string) => t(`common:kinds.${k}`, { defaultValue: k }) },
    { title: t('document.date'), dataIndex: 'documentDate', key: 'date', width: 130, render: (d: string) => formatDate(d, i18n.language) },
    { title: t('document.dueDate'), dataIndex: 'dueDate', key: 'due', width: 130, render: (d: string | null) => formatDate(d, i18n.language) },
    { title: t('document.amount'), dataIndex: 'amount', key: 'amount', width: 160, align: 'right', render: (v: string, row) => <Amount value={v} currency={row.currency} /> },
    { title: t('document.open'), dataIndex: 'open', key: 'open', width: 160, align: 'right', render: (v: string, row) => <Amount value={v} currency={row.currency} /> },
    {
      title: t('document.status'), dataIndex: 'status', key: 'status', width: 120,
      render: (s: DocumentSummary['status']) => <Tag color={s === 'open' ? 'blue' : s === 'partly_applied' ? 'gold' : s === 'reversed' ? 'default' : 'green'}>{t(`document.statuses.${s}`)}</Tag>,
    },
  ];
  return (
    <Card title={t('customer.documents')} extra={<Link to={`/documents?customer=${encodeURIComponent(code)}`}>{t('customer.allDocuments')}</Link>}>
      {docs.error ? <div style={{ marginBottom: 12 }}><ErrorAlert error={docs.error} ns="customers" onRetry={() => void docs.refetch()} /></div> : null}
      <Table<DocumentSummary> rowKey="id" size="small" columns={columns} dataSource={docs.data?.items ?? []} loading={docs.isFetching}
        pagination={false} scroll={{ x: 1000 }} aria-label={t('customer.documents')}
        locale={{ emptyText: docs.error ? t('common:states.error') : t('customer.noDocuments') }} />
      <CursorPager paging={paging} nextCursor={docs.data?.nextCursor} loading={docs.isFetching} />
    </Card>
  );
}
