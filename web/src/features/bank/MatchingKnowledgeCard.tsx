/**
 * What cash matching has learned about a customer from users' decisions (docs/cash-matching.md): the payer accounts
 * its payments come from and how it quotes invoice numbers (the number's last digits after its own words). Shown on
 * the customer's page; bank.match may forget one that a wrong decision taught (audited by the API).
 */
import { App as AntApp, Button, Card, Empty, Popconfirm, Space, Table, Typography } from 'antd';
import { DeleteOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ErrorAlert } from '../../shared/components.tsx';
import { formatDate } from '../../shared/format.ts';

interface Knowledge {
  accounts: { id: string; account: string; source: string; confirmations: number; learnedBy: string; learnedAt: string; lastConfirmedAt: string }[];
  patterns: { id: string; marker: string; digits: number; example: string; confirmations: number; learnedBy: string; learnedAt: string; lastConfirmedAt: string }[];
}

export function MatchingKnowledgeCard({ code }: { code: string }) {
  const { t, i18n } = useTranslation('bank');
  const { message } = AntApp.useApp();
  const { can } = useSession();
  const client = useQueryClient();
  const key = ['bank', 'knowledge', code];
  const knowledge = useQuery({ queryKey: key, queryFn: () => api.get<Knowledge>(`/customers/${encodeURIComponent(code)}/matching-knowledge`) });
  const forget = useMutation({
    mutationFn: (v: { kind: 'accounts' | 'patterns'; id: string }) =>
      api.delete<Knowledge>(`/customers/${encodeURIComponent(code)}/matching-knowledge/${v.kind}/${v.id}`),
    onSuccess: () => { void message.success(t('knowledge.forgotten')); void client.invalidateQueries({ queryKey: key }); },
  });
  const data = knowledge.data;
  const forgetButton = (kind: 'accounts' | 'patterns', id: string) => (can('bank.match') ? (
    <Popconfirm title={t('knowledge.forgetConfirm')} onConfirm={() => forget.mutate({ kind, id })}>
      <Button size="small" icon={<DeleteOutlined />} aria-label={t('knowledge.forget')}>{t('knowledge.forget')}</Button>
    </Popconfirm>
  ) : null);
  const date = (iso: string) => formatDate(iso.slice(0, 10), i18n.language);
  return (
    <Card title={t('knowledge.title')} data-testid="matching-knowledge">
      {knowledge.error ? <ErrorAlert error={knowledge.error} ns="bank" /> : null}
      {forget.error ? <ErrorAlert error={forget.error} ns="bank" /> : null}
      {data && !data.accounts.length && !data.patterns.length ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('knowledge.none')} /> : null}
      {data?.accounts.length ? (
        <Table rowKey="id" size="small" pagination={false} style={{ marginBottom: 12 }} dataSource={data.accounts} aria-label={t('knowledge.accounts')}
          columns={[
            { title: t('knowledge.account'), dataIndex: 'account' },
            { title: t('knowledge.confirmations'), dataIndex: 'confirmations', width: 120, align: 'right' },
            { title: t('knowledge.learned'), key: 'learned', width: 260, render: (_: unknown, a) => `${date(a.learnedAt)} · ${a.learnedBy}` },
            { key: 'forget', width: 110, render: (_: unknown, a) => forgetButton('accounts', a.id) },
          ]} />
      ) : null}
      {data?.patterns.length ? (
        <Table rowKey="id" size="small" pagination={false} dataSource={data.patterns} aria-label={t('knowledge.patterns')}
          columns={[
            { title: t('knowledge.pattern'), key: 'pattern', render: (_: unknown, p) => (
              <Space direction="vertical" size={0}>
                <span>{p.marker ? t('knowledge.patternMarker', { marker: p.marker, digits: p.digits }) : t('knowledge.patternBare', { digits: p.digits })}</span>
                <Typography.Text type="secondary">{t('knowledge.example', { example: p.example })}</Typography.Text>
              </Space>
            ) },
            { title: t('knowledge.confirmations'), dataIndex: 'confirmations', width: 120, align: 'right' },
            { title: t('knowledge.learned'), key: 'learned', width: 260, render: (_: unknown, p) => `${date(p.learnedAt)} · ${p.learnedBy}` },
            { key: 'forget', width: 110, render: (_: unknown, p) => forgetButton('patterns', p.id) },
          ]} />
      ) : null}
    </Card>
  );
}
