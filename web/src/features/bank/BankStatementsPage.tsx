/** The import history (银行对账单): every imported statement with its balance check, newest first, paged. */
import { useState } from 'react';
import { Button, Space, Table, Typography, type TableColumnsType } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatAmount, formatInstant } from '../../shared/format.ts';
import { BalanceCheckTag } from './BalanceCheckTag.tsx';
import { BANK_KEY } from './BankImportPage.tsx';
import type { HistoryRow } from './types.ts';

const PAGE = 50;

export function BankStatementsPage() {
  const { t, i18n } = useTranslation('bank');
  const { can } = useSession();
  const timeZone = useSignedIn().company.timeZone;
  const [page, setPage] = useState(1);
  const query = useQuery({
    queryKey: [BANK_KEY, 'statements', page],
    queryFn: () => api.get<{ total: number; rows: HistoryRow[] }>('/bank/statements', { limit: PAGE, offset: (page - 1) * PAGE }),
    placeholderData: keepPreviousData,
  });
  const money = (amount: string | undefined, currency: string) => (amount === undefined ? '—' : formatAmount(amount, currency, i18n.language));
  const columns: TableColumnsType<HistoryRow> = [
    { title: t('columns.imported'), dataIndex: 'importedAt', width: 170, render: (at: string) => formatInstant(at, i18n.language, timeZone) },
    { title: t('columns.statement'), dataIndex: 'statementId', width: 210, render: (id: string, s) => <Space direction="vertical" size={0}><Link to={`/bank/statements/${s.id}`}>{id}</Link><Typography.Text type="secondary">{s.fileName ?? ''}</Typography.Text></Space> },
    { title: t('columns.check'), dataIndex: 'balanceCheck', width: 260, render: (_: unknown, s) => <BalanceCheckTag check={s.balanceCheck} difference={money(s.difference, s.currency)} /> },
    { title: t('columns.closing'), key: 'closing', align: 'right', width: 150, render: (_: unknown, s) => money(s.closing?.amount, s.currency) },
    { title: t('columns.entries'), dataIndex: 'entryCount', align: 'right', width: 80 },
    { title: t('columns.fresh'), dataIndex: 'newEntryCount', align: 'right', width: 70 },
    { title: t('columns.account'), dataIndex: 'accountId', width: 200, render: (a: string, s) => `${a} · ${s.currency}` },
    { title: t('columns.format'), dataIndex: 'formatVersion', width: 140 },
    { title: t('columns.by'), dataIndex: 'importedBy', width: 170, ellipsis: true },
  ];
  return (
    <>
      <PageTitle title={t('history.title')} extra={can('bank.import') ? <Link to="/bank"><Button type="primary" icon={<UploadOutlined />}>{t('history.importNew')}</Button></Link> : undefined} />
      <Typography.Paragraph type="secondary">{t('history.subtitle')}</Typography.Paragraph>
      {query.error ? <ErrorAlert error={query.error} onRetry={() => void query.refetch()} /> : null}
      <Table<HistoryRow> rowKey="id" size="small" columns={columns} dataSource={query.data?.rows ?? []} loading={query.isLoading} scroll={{ x: 1450 }}
        locale={{ emptyText: t('history.empty') }}
        pagination={{ current: page, pageSize: PAGE, total: query.data?.total ?? 0, showSizeChanger: false, onChange: setPage, showTotal: (n) => t('history.total', { count: n }) }} />
    </>
  );
}
