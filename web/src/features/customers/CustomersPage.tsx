/**
 * The customer list: search (code or tax id prefix, part of the name), filters, sort and page size, all kept in the
 * address so reload and back work; keyset-paged by the API however many customers there are.
 */
import { useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Input, Select, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ClearOutlined, CloseOutlined, PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, type Page } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { formatAmount } from '../../shared/format.ts';
import { Amount, CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { CustomerFormModal, type SaveOutcome } from './CustomerForm.tsx';
import { StatusTag, SegmentText } from './parts.tsx';
import './customers.css';
import { CUSTOMER_STATUSES, type CustomerFilters, type CustomerRow } from './types.ts';

const FILTERS = ['segment', 'region', 'collector', 'salesperson', 'status', 'currency'] as const;
type FilterName = (typeof FILTERS)[number];
const PAGE_SIZES = [20, 50, 100, 200];
const DEFAULT_PAGE_SIZE = 50;

export function CustomersPage() {
  const { t, i18n } = useTranslation('customers');
  const session = useSignedIn();
  const { can } = useSession();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);

  const q = params.get('q') ?? '';
  const sort = params.get('sort') === 'name' ? 'name' : 'code';
  const sizeParam = Number(params.get('size'));
  const size = PAGE_SIZES.includes(sizeParam) ? sizeParam : DEFAULT_PAGE_SIZE;
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<FilterName, string>;
  const parent = params.get('parent') ?? '';
  const query = { q, sort, limit: size, ...filters, parent };
  const resetKey = JSON.stringify(query);
  const paging = useCursorPaging(resetKey);

  const list = useQuery({
    queryKey: ['customers', query, paging.cursor],
    queryFn: () => api.get<Page<CustomerRow>>('/customers', { ...query, cursor: paging.cursor }),
    placeholderData: keepPreviousData,
  });
  const facets = useQuery({ queryKey: ['customer-filters'], queryFn: () => api.get<CustomerFilters>('/customer-filters'), staleTime: 60_000 });

  /** Changes one search parameter (empty removes it); the list starts again on its first page. */
  const setParam = (name: string, value: string | undefined) => {
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });
  };
  const filtered = q !== '' || parent !== '' || FILTERS.some((f) => filters[f] !== '');
  const scopeField = session.user.role === 'collector' ? 'collector' : session.user.role === 'sales' ? 'salesperson' : null;

  const columns = useMemo<TableColumnsType<CustomerRow>>(() => [
    {
      title: t('columns.code'), dataIndex: 'code', key: 'code', className: 'col-code', width: 88, fixed: 'left',
      render: (code: string) => <Link to={`/customers/${encodeURIComponent(code)}`}>{code}</Link>,
    },
    { title: t('columns.name'), dataIndex: 'name', key: 'name', className: 'col-name', width: 232, fixed: 'left', ellipsis: { showTitle: true } },
    { title: t('columns.taxId'), dataIndex: 'taxId', key: 'taxId', className: 'col-taxId', width: 170, render: (v: string | null) => (v ? <span className="mono">{v}</span> : '—') },
    {
      title: t('columns.group'), dataIndex: 'parentCode', key: 'group', className: 'col-group', width: 76,
      render: (v: string | null) => (v ? <Link to={`/customers/${encodeURIComponent(v)}`}>{v}</Link> : '—'),
    },
    { title: t('columns.segment'), dataIndex: 'segment', key: 'segment', className: 'col-segment', width: 92, render: (v: string | null) => <SegmentText value={v} /> },
    { title: t('columns.region'), dataIndex: 'region', key: 'region', className: 'col-region', width: 66, render: (v: string | null) => v ?? '—' },
    { title: t('columns.collector'), dataIndex: 'collector', key: 'collector', className: 'col-collector', width: 90, render: (v: string | null) => v ?? '—' },
    { title: t('columns.salesperson'), dataIndex: 'salesperson', key: 'salesperson', className: 'col-salesperson', width: 100, render: (v: string | null) => v ?? '—' },
    { title: t('columns.currency'), dataIndex: 'currency', key: 'currency', className: 'col-currency', width: 76 },
    { title: t('columns.terms'), dataIndex: 'paymentTerms', key: 'terms', className: 'col-terms', width: 84, render: (v: string | null) => v ?? '—' },
    {
      title: t('columns.creditLimit'), dataIndex: 'creditLimit', key: 'creditLimit', className: 'col-creditLimit', width: 130, align: 'right',
      render: (v: string | null, row) => <Amount value={v} currency={row.currency} />,
    },
    {
      title: t('columns.balance'), key: 'balance', className: 'col-balance', width: 150, align: 'right', fixed: 'right',
      render: (_: unknown, row) => (row.balances.length === 0 ? <Typography.Text type="secondary">—</Typography.Text> : (
        <Space orientation="vertical" size={0} align="end">
          {row.balances.map((b) => (
            <Tooltip key={b.currency} title={`${t('customer.receivable')} ${formatAmount(b.receivable, b.currency, i18n.language)} · ${t('customer.unapplied')} ${formatAmount(b.unapplied, b.currency, i18n.language)}`}>
              <span><Amount value={b.net} currency={b.currency} /></span>
            </Tooltip>
          ))}
        </Space>
      )),
    },
    { title: t('columns.status'), dataIndex: 'status', key: 'status', className: 'col-status', width: 76, fixed: 'right', render: (v: CustomerRow['status']) => <StatusTag status={v} /> },
  ], [t, i18n.language]);

  const select = (name: FilterName, placeholder: string, values: string[] | undefined, label?: (v: string) => string) => (
    <Select
      aria-label={t(`columns.${name}`)}
      placeholder={placeholder}
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      value={filters[name] || undefined}
      onChange={(v: string | undefined) => setParam(name, v)}
      options={(values ?? []).map((v) => ({ value: v, label: label ? label(v) : v }))}
      style={{ minWidth: 140 }}
      popupMatchSelectWidth={false}
    />
  );

  const saved = (outcome: SaveOutcome) => {
    setCreating(false);
    if (outcome.kind === 'approval') return;
    void message.success(t(outcome.kind === 'unchanged' ? 'form.unchanged' : 'form.created', { code: outcome.customer.code }));
    navigate(`/customers/${encodeURIComponent(outcome.customer.code)}`);
  };

  return (
    <>
      <PageTitle
        title={t('list.title')}
        extra={can('customers.write') ? <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('list.newCustomer')}</Button> : null}
      />
      {scopeField ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }}
          title={t(scopeField === 'collector' ? 'list.scopeNote' : 'list.scopeNoteSales', { handle: session.user.handle ?? session.user.email })} />
      ) : null}
      <div className="filters" role="search" aria-label={t('list.filters')}>
        <Space wrap>
          <Input.Search
            key={q}
            aria-label={t('list.search')}
            placeholder={t('list.searchPlaceholder')}
            defaultValue={q}
            allowClear
            enterButton
            onSearch={(value) => setParam('q', value.trim())}
            style={{ width: 320 }}
          />
          {parent ? (
            <Tag closable onClose={() => setParam('parent', undefined)} closeIcon={<CloseOutlined aria-label={t('list.clearGroup')} />} style={{ padding: '4px 8px' }}>
              {t('list.group', { code: parent })}
            </Tag>
          ) : null}
          {select('segment', t('list.anySegment'), facets.data?.segments, (v) => t(`segment.${v}`, { defaultValue: v }))}
          {select('region', t('list.anyRegion'), facets.data?.regions)}
          {scopeField === 'collector' ? null : select('collector', t('list.anyCollector'), facets.data?.collectors)}
          {scopeField === 'salesperson' ? null : select('salesperson', t('list.anySalesperson'), facets.data?.salespeople)}
          {select('status', t('list.anyStatus'), [...CUSTOMER_STATUSES], (v) => t(`status.${v}`))}
          {select('currency', t('list.anyCurrency'), facets.data?.currencies)}
          <Select
            aria-label={t('list.sort')}
            value={sort}
            onChange={(v) => setParam('sort', v === 'code' ? undefined : v)}
            options={[{ value: 'code', label: `${t('list.sort')}: ${t('list.sortCode')}` }, { value: 'name', label: `${t('list.sort')}: ${t('list.sortName')}` }]}
            popupMatchSelectWidth={false}
          />
          <Select
            aria-label={t('list.pageSize')}
            value={size}
            onChange={(v) => setParam('size', v === DEFAULT_PAGE_SIZE ? undefined : String(v))}
            options={PAGE_SIZES.map((n) => ({ value: n, label: t('list.perPage', { count: n }) }))}
            popupMatchSelectWidth={false}
          />
          {filtered ? <Button icon={<ClearOutlined />} onClick={() => setParams(new URLSearchParams([...params].filter(([k]) => k === 'sort' || k === 'size')))}>{t('list.clear')}</Button> : null}
        </Space>
      </div>
      {list.error ? <div style={{ marginBottom: 16 }}><ErrorAlert error={list.error} ns="customers" onRetry={() => void list.refetch()} /></div> : null}
      <Table<CustomerRow>
        rowKey="id"
        className="customers-table"
        size="middle"
        columns={columns}
        dataSource={list.data?.items ?? []}
        loading={list.isFetching}
        pagination={false}
        scroll={{ x: 1400 }}
        sticky
        aria-label={t('list.caption', { count: list.data?.items.length ?? 0 })}
        locale={{ emptyText: list.error ? t('common:states.error') : filtered ? t('common:states.noMatch') : t('common:states.empty') }}
      />
      <CursorPager paging={paging} nextCursor={list.data?.nextCursor} loading={list.isFetching} />
      {creating ? <CustomerFormModal open={creating} onClose={() => setCreating(false)} onSaved={saved} /> : null}
    </>
  );
}
