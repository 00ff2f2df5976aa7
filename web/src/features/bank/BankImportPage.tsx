/**
 * Import a bank statement (导入银行流水): choose the file (the format is recognised from its content), a CSV mapping
 * profile when it is a CSV export, and see what the import did: each statement with its balance check, and how many
 * entries were new and how many had been imported before.
 */
import { useState } from 'react';
import { Alert, Button, Card, Select, Space, Table, Tag, Typography, Upload, type TableColumnsType } from 'antd';
import { InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatAmount, formatDate } from '../../shared/format.ts';
import { BalanceCheckTag } from './BalanceCheckTag.tsx';
import type { CsvProfile, ImportResult } from './types.ts';
import { CsvProfileFormModal } from './CsvProfileForm.tsx';
import { RemittanceCard } from './RemittanceCard.tsx';
import { readBase64, useChosenFile } from '../../shared/files.ts';
import { useSession } from '../../auth/session.tsx';

export const BANK_KEY = 'bank';
const ENCODINGS = ['utf-8', 'windows-1252', 'iso-8859-2', 'cp850', 'gbk', 'gb18030'];

export function BankImportPage() {
  const { t, i18n } = useTranslation('bank');
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [profile, setProfile] = useState('');
  const [encoding, setEncoding] = useState('');
  const profiles = useQuery({ queryKey: [BANK_KEY, 'profiles'], queryFn: () => api.get<{ rows: CsvProfile[] }>('/bank/profiles') });
  // The profile being edited: null for a new one; undefined when the form is closed.
  const [editing, setEditing] = useState<CsvProfile | null | undefined>(undefined);
  const upload = useMutation({
    // Matched right after the import when the user may match: the sure lines are applied, the rest wait in the workbench.
    mutationFn: async () => api.post<ImportResult>(`/bank/statements${can('bank.match') ? '?match=true' : ''}`, {
      fileName: file!.name, content: await readBase64(file!), ...(profile ? { profile } : {}), ...(encoding ? { encoding } : {}),
    }, key),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [BANK_KEY] }),
  });
  const { file, tooLarge, key, choose } = useChosenFile(() => upload.reset());
  const result = upload.data;
  const money = (amount: string | undefined, currency: string) => (amount === undefined ? '' : formatAmount(amount, currency, i18n.language));

  const columns: TableColumnsType<ImportResult['statements'][number]> = [
    { title: t('columns.statement'), dataIndex: 'statementId', render: (id: string, s) => <Space direction="vertical" size={0}><Link to={`/bank/statements/${s.id}`}>{id}</Link><Typography.Text type="secondary">{s.formatVersion}</Typography.Text></Space> },
    { title: t('columns.account'), dataIndex: 'accountId', render: (a: string, s) => `${a} · ${s.currency}` },
    { title: t('columns.opening'), key: 'opening', align: 'right', render: (_: unknown, s) => s.opening ? <Space direction="vertical" size={0}>{money(s.opening.amount, s.currency)}<Typography.Text type="secondary">{formatDate(s.opening.date, i18n.language)}</Typography.Text></Space> : '—' },
    { title: t('columns.closing'), key: 'closing', align: 'right', render: (_: unknown, s) => s.closing ? <Space direction="vertical" size={0}>{money(s.closing.amount, s.currency)}<Typography.Text type="secondary">{formatDate(s.closing.date, i18n.language)}</Typography.Text></Space> : '—' },
    { title: t('columns.check'), dataIndex: 'balanceCheck', render: (_: unknown, s) => <BalanceCheckTag check={s.balanceCheck} difference={money(s.difference, s.currency)} /> },
    { title: t('columns.entries'), dataIndex: 'entryCount', align: 'right' },
    { title: t('columns.fresh'), dataIndex: 'newEntryCount', align: 'right', render: (n: number, s) => <Tag color={n > 0 ? 'green' : 'default'} data-testid="new-entries">{n}</Tag> },
    { title: t('columns.already'), key: 'already', align: 'right', render: (_: unknown, s) => s.entryCount - s.newEntryCount },
  ];

  return (
    <>
      <PageTitle title={t('import.title')} extra={<Link to="/bank/statements">{t('nav.history')}</Link>} />
      <Typography.Paragraph type="secondary">{t('import.subtitle')}</Typography.Paragraph>
      <Card style={{ marginBottom: 16 }}>
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Upload.Dragger
            accept=".xml,.sta,.940,.mt940,.txt,.bai,.bai2,.csv,.swi,text/*,application/xml" multiple={false} showUploadList={false}
            beforeUpload={choose}>
            <p className="ant-upload-drag-icon"><InboxOutlined /></p>
            <p className="ant-upload-text">{t('import.drop')}</p>
            <p className="ant-upload-hint">{t('import.dropHint')}</p>
          </Upload.Dragger>
          {file ? <Typography.Text data-testid="chosen-file">{t('import.chosen', { name: file.name, size: Math.max(1, Math.round(file.size / 1024)) })}</Typography.Text> : null}
          {tooLarge ? <Alert type="error" showIcon message={t('import.tooLarge')} /> : null}
          <Space wrap>
            <Select aria-label={t('import.profile')} style={{ width: 260 }} value={profile} onChange={setProfile} loading={profiles.isLoading}
              options={[{ value: '', label: `${t('import.profile')}: ${t('import.profileNone')}` }, ...(profiles.data?.rows ?? []).map((p) => ({ value: p.name, label: `${p.name} (${p.accountId} · ${p.currency})` }))]} />
            <Select aria-label={t('import.encoding')} style={{ width: 260 }} value={encoding} onChange={setEncoding}
              options={[{ value: '', label: `${t('import.encoding')}: ${t('import.encodingAuto')}` }, ...ENCODINGS.map((e) => ({ value: e, label: e }))]} />
            <Button type="primary" icon={<UploadOutlined />} disabled={!file} loading={upload.isPending} onClick={() => upload.mutate()}>{t('import.submit')}</Button>
          </Space>
        </Space>
      </Card>
      {upload.error ? <ErrorAlert error={upload.error} ns="bank" /> : null}
      <Card size="small" title={t('profiles.title')} style={{ marginBottom: 16 }}
        extra={can('bank.import') ? <Button size="small" onClick={() => setEditing(null)}>{t('profiles.new')}</Button> : null}>
        <Table<CsvProfile> rowKey="name" size="small" pagination={false} loading={profiles.isLoading} dataSource={profiles.data?.rows ?? []}
          locale={{ emptyText: t('profiles.empty') }}
          columns={[
            { title: t('profiles.name'), dataIndex: 'name' },
            { title: t('profiles.accountId'), dataIndex: 'accountId', render: (a: string, p) => `${a} · ${p.currency}` },
            { title: t('profiles.shape'), key: 'shape', render: (_: unknown, p) => `${p.encoding} · ${p.delimiter === '\t' ? 'TAB' : p.delimiter} · ${p.dateFormat}` },
            { title: t('profiles.updated'), key: 'updated', render: (_: unknown, p) => (p.updatedAt ? `${formatDate(p.updatedAt.slice(0, 10), i18n.language)} · ${p.updatedBy ?? ''}` : '') },
            ...(can('bank.import') ? [{ title: '', key: 'edit', width: 90, render: (_: unknown, p: CsvProfile) => <Button size="small" onClick={() => setEditing(p)}>{t('profiles.edit')}</Button> }] : []),
          ]} />
      </Card>
      <RemittanceCard />
      {editing !== undefined ? <CsvProfileFormModal open profile={editing} onClose={() => setEditing(undefined)} /> : null}
      {result ? (
        <Card title={t('import.result')} data-testid="import-result">
          <Typography.Paragraph strong>{t('import.summary', { format: result.format, statements: result.statements.length, fresh: result.newEntryCount, entries: result.entryCount })}</Typography.Paragraph>
          {result.newEntryCount === 0 ? <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('import.allKnown')} /> : null}
          {result.statements.some((s) => s.balanceCheck === 'mismatch') ? <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t('check.mismatchHelp')} /> : null}
          <Table rowKey="id" size="small" pagination={false} columns={columns} dataSource={result.statements} scroll={{ x: 900 }} />
          {(result.matching ?? []).map((m) => (
            <Alert key={m.statementId} type="success" showIcon style={{ marginTop: 12 }} data-testid="import-matching"
              message={t('matching.ran', m.counts)} action={<Link to={`/bank/matching?statement=${m.statementId}`}>{t('matching.title')}</Link>} />
          ))}
        </Card>
      ) : null}
    </>
  );
}
