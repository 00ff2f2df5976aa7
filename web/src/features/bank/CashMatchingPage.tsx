/**
 * Cash matching (自动核销): the review workbench of a statement, the newest one unless another is chosen. The same
 * workbench is on each statement's page.
 */
import { Empty, Select, Space, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatAmount, formatDate } from '../../shared/format.ts';
import { BANK_KEY } from './BankImportPage.tsx';
import { MatchSettingsCard } from './MatchSettingsCard.tsx';
import { MatchingWorkbench } from './MatchingWorkbench.tsx';
import type { HistoryRow } from './types.ts';

export function CashMatchingPage() {
  const { t, i18n } = useTranslation('bank');
  const [params, setParams] = useSearchParams();
  const statements = useQuery({ queryKey: [BANK_KEY, 'history', 'matching'], queryFn: () => api.get<{ total: number; rows: HistoryRow[] }>('/bank/statements', { limit: 200 }) });
  const rows = statements.data?.rows ?? [];
  const chosen = params.get('statement') ?? rows[0]?.id ?? '';
  return (
    <>
      <PageTitle title={t('matching.pageTitle')} extra={<Link to="/bank/statements">{t('nav.history')}</Link>} />
      <Typography.Paragraph type="secondary">{t('matching.subtitle')}</Typography.Paragraph>
      {statements.error ? <ErrorAlert error={statements.error} onRetry={() => void statements.refetch()} /> : null}
      {statements.data && rows.length === 0 ? <Empty description={t('history.empty')} /> : null}
      {rows.length ? (
        <Space style={{ marginBottom: 16 }} wrap>
          <Typography.Text>{t('matching.statement')}</Typography.Text>
          <Select aria-label={t('matching.statement')} style={{ minWidth: 460 }} value={chosen} onChange={(v) => setParams({ statement: v })}
            options={rows.map((s) => ({
              value: s.id,
              label: `${s.statementId} · ${s.accountId} · ${formatDate(s.closing?.date ?? s.importedAt.slice(0, 10), i18n.language)} · ${s.closing ? formatAmount(s.closing.amount, s.currency, i18n.language) : s.currency}`,
            }))} />
          <Link to={`/bank/statements/${chosen}`}>{t('import.open')}</Link>
        </Space>
      ) : null}
      {chosen ? <MatchingWorkbench key={chosen} statementId={chosen} /> : null}
      <MatchSettingsCard />
    </>
  );
}
