/** One imported statement (对账单明细): its balances and check, and every entry with payer, references and remittance. */
import { Card, Descriptions, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatAmount, formatDate } from '../../shared/format.ts';
import { BalanceCheckTag } from './BalanceCheckTag.tsx';
import { BANK_KEY } from './BankImportPage.tsx';
import { MatchingWorkbench } from './MatchingWorkbench.tsx';
import type { BankEntryRow, HistoryRow } from './types.ts';

export function BankStatementPage() {
  const { t, i18n } = useTranslation('bank');
  const { id = '' } = useParams();
  const query = useQuery({ queryKey: [BANK_KEY, 'statement', id], queryFn: () => api.get<HistoryRow & { entries: BankEntryRow[] }>(`/bank/statements/${encodeURIComponent(id)}`) });
  const s = query.data;
  const money = (amount: string | undefined, currency: string) => (amount === undefined ? '—' : formatAmount(amount, currency, i18n.language));
  const columns: TableColumnsType<BankEntryRow> = [
    { title: '#', dataIndex: 'seq', width: 50 },
    { title: t('columns.bookingDate'), dataIndex: 'bookingDate', width: 110, render: (d: string | null) => formatDate(d, i18n.language) },
    { title: t('columns.valueDate'), dataIndex: 'valueDate', width: 110, render: (d: string | null) => formatDate(d, i18n.language) },
    {
      title: t('columns.amount'), dataIndex: 'amount', align: 'right', width: 150,
      render: (a: string, e) => <Space direction="vertical" size={0} align="end"><Amount value={a} currency={e.currency} />
        <span>{e.reversal ? <Tag color="orange">{t('detail.reversal')}</Tag> : null}{e.booked ? null : <Tag>{t('detail.pending')}</Tag>}</span></Space>,
    },
    { title: t('columns.counterparty'), key: 'counterparty', render: (_: unknown, e) => <Space direction="vertical" size={0}>{e.counterpartyName ?? '—'}<Typography.Text type="secondary">{e.counterpartyAccount ?? ''}</Typography.Text></Space> },
    {
      title: t('columns.reference'), key: 'reference',
      render: (_: unknown, e) => {
        const main = e.endToEndId ?? e.customerReference ?? e.bankReference;
        return <Space direction="vertical" size={0}>{main ?? '—'}{e.bankReference && e.bankReference !== main ? <Typography.Text type="secondary">{e.bankReference}</Typography.Text> : null}</Space>;
      },
    },
    { title: t('columns.remittance'), key: 'remittance', render: (_: unknown, e) => <Space direction="vertical" size={0}><span>{e.remittanceText ?? ''}</span>{e.creditorReference ? <Tag>{e.creditorReference}</Tag> : null}</Space> },
    { title: t('columns.code'), dataIndex: 'transactionCode', width: 130 },
  ];
  return (
    <>
      <PageTitle title={t('detail.title', { id: s?.statementId ?? '' })} extra={<Link to="/bank/statements">{t('detail.back')}</Link>} />
      {query.error ? <ErrorAlert error={query.error} onRetry={() => void query.refetch()} /> : null}
      {s ? (
        <>
          <Card style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={{ xs: 1, md: 3 }}>
              <Descriptions.Item label={t('columns.account')}>{s.accountId} · {s.currency}</Descriptions.Item>
              <Descriptions.Item label={t('columns.format')}>{s.formatVersion}</Descriptions.Item>
              <Descriptions.Item label={t('detail.sequence')}>{s.sequence ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('columns.opening')}>{s.opening ? `${money(s.opening.amount, s.currency)} (${formatDate(s.opening.date, i18n.language)})` : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('detail.total')}>{money(s.entriesTotal, s.currency)}</Descriptions.Item>
              <Descriptions.Item label={t('columns.closing')}>{s.closing ? `${money(s.closing.amount, s.currency)} (${formatDate(s.closing.date, i18n.language)})` : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('columns.check')}><BalanceCheckTag check={s.balanceCheck} difference={money(s.difference, s.currency)} /></Descriptions.Item>
              <Descriptions.Item label={t('columns.file')}>{s.fileName ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('columns.fresh')}>{s.newEntryCount} / {s.entryCount}</Descriptions.Item>
            </Descriptions>
          </Card>
          <div style={{ marginBottom: 16 }}><MatchingWorkbench statementId={s.id} /></div>
          <Card title={t('detail.entriesTitle')} data-testid="statement-entries">
            <Table<BankEntryRow> rowKey="id" size="small" columns={columns} dataSource={s.entries} scroll={{ x: 1100 }} pagination={{ pageSize: 100, hideOnSinglePage: true }} />
          </Card>
        </>
      ) : null}
    </>
  );
}
