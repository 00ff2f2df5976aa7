/**
 * All documents, newest first: filters by kind, customer, status, currency, document dates and number, kept in the
 * address (so reload, back and shared links keep them), cursor-paged like the API.
 */
import { useEffect, useState } from 'react';
import { Button, DatePicker, Flex, Input, Select, Table, Tag, Typography } from 'antd';
import { DollarOutlined, SearchOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, type Page } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { formatDate, formatNumber } from '../../shared/format.ts';
import { CustomerSelect } from './CustomerSelect.tsx';
import './documents.css';
import { DOCUMENT_KINDS, documentPath, type DocumentStatus, type LedgerDocument } from './types.ts';

const FILTERS = ['kind', 'customer', 'status', 'currency', 'from', 'to', 'q'] as const;
type Filter = (typeof FILTERS)[number];
const PAGE_SIZE = 50;

const STATUS_COLOURS: Record<DocumentStatus, string> = { open: 'blue', partly_applied: 'gold', closed: 'green', reversed: 'default' };

/** A document's state in the words of its side: an invoice is paid, a payment is applied. */
export function StatusTag({ status, side }: { status: DocumentStatus; side: 'debit' | 'credit' }) {
  const { t } = useTranslation('documents');
  return <Tag color={STATUS_COLOURS[status]}>{t(`status.${side}.${status}`)}</Tag>;
}

export function DocumentsPage() {
  const { t, i18n } = useTranslation('documents');
  const lang = i18n.language;
  const { can } = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<Filter, string>;
  const filterKey = FILTERS.map((f) => `${f}=${filters[f]}`).join('&');
  const paging = useCursorPaging(filterKey);

  // Text filters apply on Enter or when leaving the field, not on every key.
  const [number, setNumber] = useState(filters.q);
  const [currency, setCurrency] = useState(filters.currency);
  useEffect(() => setNumber(filters.q), [filters.q]);
  useEffect(() => setCurrency(filters.currency), [filters.currency]);

  const setFilters = (changes: Partial<Record<Filter, string | null | undefined>>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  };

  const query = useQuery({
    queryKey: ['documents', 'list', filterKey, paging.cursor],
    queryFn: () => api.get<Page<LedgerDocument>>('/documents', { ...filters, limit: PAGE_SIZE, cursor: paging.cursor }),
    placeholderData: keepPreviousData,
  });
  const filtered = FILTERS.some((f) => filters[f]);

  return (
    <>
      <PageTitle
        title={t('list.title')}
        extra={can('documents.post') ? (
          <Button type="primary" icon={<DollarOutlined />} onClick={() => navigate(filters.customer ? `/payments/new?customer=${encodeURIComponent(filters.customer)}` : '/payments/new')}>
            {t('document.recordPayment')}
          </Button>
        ) : null}
      />
      <div role="search" aria-label={t('list.filters')}>
        <Flex gap="small" wrap className="filters" align="center">
          <Select
            aria-label={t('list.kind')}
            placeholder={t('list.anyKind')}
            allowClear
            value={filters.kind || undefined}
            onChange={(kind) => setFilters({ kind })}
            options={DOCUMENT_KINDS.map((k) => ({ value: k, label: t(`common:kinds.${k}`) }))}
            style={{ width: 130 }}
          />
          <CustomerSelect
            aria-label={t('list.customer')}
            placeholder={t('list.anyCustomer')}
            allowClear
            value={filters.customer || null}
            onChange={(customer) => setFilters({ customer })}
            style={{ width: 210 }}
          />
          <Select
            aria-label={t('list.status')}
            placeholder={t('list.anyStatus')}
            allowClear
            value={filters.status || undefined}
            onChange={(status) => setFilters({ status })}
            options={[{ value: 'open', label: t('list.statusOpen') }, { value: 'closed', label: t('list.statusClosed') }]}
            style={{ width: 130 }}
          />
          <Input
            aria-label={t('list.currency')}
            placeholder={t('list.anyCurrency')}
            value={currency}
            maxLength={3}
            onChange={(e) => {
              setCurrency(e.target.value.toUpperCase());
              if (!e.target.value) setFilters({ currency: null });
            }}
            onPressEnter={() => setFilters({ currency: currency.length === 3 ? currency : null })}
            onBlur={() => setFilters({ currency: currency.length === 3 ? currency : null })}
            allowClear
            style={{ width: 100 }}
          />
          <DatePicker.RangePicker
            aria-label={t('list.dates')}
            placeholder={[t('list.from'), t('list.to')]}
            allowEmpty={[true, true]}
            value={[filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null]}
            onChange={(range) => setFilters({ from: range?.[0]?.format('YYYY-MM-DD'), to: range?.[1]?.format('YYYY-MM-DD') })}
            style={{ width: 220 }}
          />
          <Input.Search
            aria-label={t('list.search')}
            placeholder={t('list.searchPlaceholder')}
            value={number}
            onChange={(e) => setNumber(e.target.value)}
            onSearch={(q) => setFilters({ q: q.trim() })}
            enterButton={<Button icon={<SearchOutlined />} aria-label={t('common:actions.search')} />}
            allowClear
            style={{ width: 180 }}
          />
          {filtered ? <Button onClick={() => setParams(new URLSearchParams())}>{t('common:actions.reset')}</Button> : null}
        </Flex>
      </div>
      {query.error ? <ErrorAlert error={query.error} ns="documents" onRetry={() => void query.refetch()} /> : null}
      <Table<LedgerDocument>
        rowKey="id"
        size="middle"
        loading={query.isFetching}
        dataSource={query.error ? [] : query.data?.items ?? []}
        pagination={false}
        scroll={{ x: 1100 }}
        className="documents-table"
        locale={{ emptyText: query.error ? t('common:states.error') : filtered ? t('common:states.noMatch') : t('list.empty') }}
        columns={[
          {
            title: t('columns.number'), key: 'number', width: 165,
            render: (_, d) => <Link to={documentPath(d.kind, d.number)}>{d.number}</Link>,
          },
          { title: t('columns.kind'), key: 'kind', width: 90, render: (_, d) => t(`common:kinds.${d.kind}`) },
          {
            title: t('columns.customer'), key: 'customer', ellipsis: true,
            render: (_, d) => (
              <span>
                <Link to={`/customers/${encodeURIComponent(d.customer)}`}>{d.customer}</Link>{' '}
                <Typography.Text type="secondary">{d.customerName}</Typography.Text>
              </span>
            ),
          },
          { title: t('columns.documentDate'), key: 'documentDate', width: 115, render: (_, d) => formatDate(d.documentDate, lang) },
          { title: t('columns.dueDate'), key: 'dueDate', width: 115, render: (_, d) => formatDate(d.dueDate, lang) },
          { title: t('columns.currency'), key: 'currency', width: 80, dataIndex: 'currency' },
          {
            title: t('columns.amount'), key: 'amount', width: 130, align: 'right',
            render: (_, d) => <span className="amount">{formatNumber(d.amount, d.currency, lang)}</span>,
          },
          {
            title: t('columns.open'), key: 'open', width: 130, align: 'right',
            render: (_, d) => <span className="amount">{formatNumber(d.open, d.currency, lang)}</span>,
          },
          { title: t('columns.status'), key: 'status', width: 110, render: (_, d) => <StatusTag status={d.status} side={d.side} /> },
        ]}
      />
      <CursorPager paging={paging} nextCursor={query.data?.nextCursor} loading={query.isFetching} />
    </>
  );
}
