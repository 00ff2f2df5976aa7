/**
 * The drill-down of the aging report: the open items at the as-of date behind one figure (a row's bucket, current,
 * outstanding or unapplied), most days past due first, with links to their documents. Its total is the figure the
 * report shows (the API adds up every page); pages of 100 load on demand.
 */
import { Button, Drawer, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { ErrorAlert } from '../../shared/components.tsx';
import { formatDate, formatNumber } from '../../shared/format.ts';
import type { AgingItemsPage, AgingOpenItem } from './report.ts';

export interface Drill {
  key: string;
  /** The row's label as the table shows it. */
  label: string;
  bucket: string;
  /** The figure's label (the column title). */
  figure: string;
}

const PAGE = 100;

export function AgingItemsDrawer({ drill, query, onClose, bucketLabel }: {
  drill: Drill | null;
  /** The report's own settings, so the items are those the figure adds up. */
  query: Record<string, string | undefined>;
  onClose: () => void;
  bucketLabel: (key: string) => string;
}) {
  const { t, i18n } = useTranslation('aging');
  const locale = i18n.language;
  const items = useInfiniteQuery({
    queryKey: ['aging-items', query, drill?.key, drill?.bucket],
    queryFn: ({ pageParam }) => api.get<AgingItemsPage>('/reports/aging/items', { ...query, key: drill!.key, bucket: drill!.bucket, limit: PAGE, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextOffset ?? undefined,
    enabled: drill !== null,
  });
  const pages = items.data?.pages ?? [];
  const first = pages[0];
  const rows = pages.flatMap((p) => p.items);
  const converted = first?.converted ?? false;
  const onDocumentBasis = query.basis === 'document';

  const columns: TableColumnsType<AgingOpenItem> = [
    {
      title: t('drill.columns.document'), dataIndex: 'documentNumber', key: 'document', width: 140,
      render: (number: string) => <Link to={`/documents/${encodeURIComponent(number)}`}>{number}</Link>,
    },
    { title: t('drill.columns.installment'), dataIndex: 'installment', key: 'installment', width: 56, align: 'right' },
    {
      title: t('drill.columns.customer'), key: 'customer', width: 180, ellipsis: { showTitle: true },
      render: (_: unknown, item) => <Link to={`/customers/${encodeURIComponent(item.customer)}`}>{item.customerName || item.customer}</Link>,
    },
    { title: t('drill.columns.documentDate'), dataIndex: 'documentDate', key: 'documentDate', width: 104, render: (d: string) => formatDate(d, locale) },
    { title: t('drill.columns.dueDate'), dataIndex: 'dueDate', key: 'dueDate', width: 104, render: (d: string | null) => (d ? formatDate(d, locale) : '—') },
    {
      title: onDocumentBasis ? t('drill.columns.daysOnDocument') : t('drill.columns.days'), dataIndex: 'daysPastDue', key: 'days', width: 90, align: 'right',
      render: (d: number | null) => (d === null ? '—' : d),
    },
    { title: t('drill.columns.bucket'), dataIndex: 'bucket', key: 'bucket', width: 110, render: (b: string) => (b === 'unapplied' ? t('drill.unapplied') : bucketLabel(b)) },
    {
      title: t('drill.columns.open'), key: 'open', width: 130, align: 'right',
      render: (_: unknown, item) => <span className="amount">{formatNumber(item.open, item.currency, locale)} {item.currency}</span>,
    },
    ...(converted ? [
      { title: t('drill.columns.rate'), dataIndex: 'rate', key: 'rate', width: 80, align: 'right' as const },
      {
        title: t('drill.columns.converted', { currency: first!.currency }), key: 'converted', width: 130, align: 'right' as const,
        render: (_: unknown, item: AgingOpenItem) => <span className="amount">{formatNumber(item.converted ?? '0', first!.currency, locale)}</span>,
      },
    ] : []),
  ];

  return (
    <Drawer
      open={drill !== null}
      onClose={onClose}
      size={Math.min(1100, typeof window === 'undefined' ? 1100 : window.innerWidth - 40)}
      title={drill ? t('drill.title', { row: drill.label, figure: drill.figure }) : ''}
      destroyOnHidden
    >
      {items.error ? <ErrorAlert error={items.error} ns="aging" onRetry={() => void items.refetch()} /> : null}
      <Space orientation="vertical" style={{ width: '100%' }}>
        {first ? (
          <Typography.Text strong className="aging-drill-summary">
            {t('drill.summary', { count: first.count, total: `${formatNumber(first.total, first.currency, locale)} ${first.currency}` })}
          </Typography.Text>
        ) : null}
        <Table<AgingOpenItem>
          className="aging-drill-table"
          rowKey={(item) => `${item.documentNumber}/${item.documentKind}/${item.installment}`}
          size="small"
          columns={columns}
          dataSource={rows}
          loading={items.isFetching}
          pagination={false}
          scroll={{ x: 1000 }}
        />
        {items.hasNextPage ? (
          <Button onClick={() => void items.fetchNextPage()} loading={items.isFetchingNextPage}>{t('drill.more')}</Button>
        ) : null}
      </Space>
    </Drawer>
  );
}
