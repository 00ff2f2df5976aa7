/**
 * Remittance advices (付款通知) on the bank import page: a customer's CSV or XLSX list of the invoices a payment
 * covers, imported for cash matching, and the recent ones with their lines (which invoice each line found).
 */
import { useState } from 'react';
import { Alert, Button, Card, Input, Select, Space, Table, Tag, Typography, Upload, type TableColumnsType } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ErrorAlert } from '../../shared/components.tsx';
import { readBase64, useChosenFile } from '../../shared/files.ts';
import { formatAmount, formatDate } from '../../shared/format.ts';

const KEY = ['bank', 'remittances'];

interface AdviceLine { line: number; invoiceNumber: string; document: string | null; amount: string; deduction: string; reference: string | null; paymentDate: string | null }
export interface Advice {
  id: string; fileName: string | null; customer: string | null; customerName: string | null; currency: string; total: string; lineCount: number;
  unknownInvoices: number; reference: string | null; paymentDate: string | null; bankEntryId: string | null; importedAt: string; importedBy: string;
  lines?: AdviceLine[]; alreadyImported?: boolean;
}

function AdviceLines({ id }: { id: string }) {
  const { t, i18n } = useTranslation('bank');
  const advice = useQuery({ queryKey: [...KEY, id], queryFn: () => api.get<Advice>(`/bank/remittances/${id}`) });
  if (advice.error) return <ErrorAlert error={advice.error} ns="bank" />;
  const currency = advice.data?.currency ?? '';
  return (
    <Table<AdviceLine> rowKey="line" size="small" pagination={false} loading={advice.isLoading} dataSource={advice.data?.lines ?? []}
      columns={[
        { title: t('remittance.line'), dataIndex: 'line', width: 70 },
        { title: t('remittance.invoice'), dataIndex: 'invoiceNumber' },
        { title: t('remittance.found'), dataIndex: 'document', render: (d: string | null) => (d ? d : <Tag color="orange">{t('remittance.notFound')}</Tag>) },
        { title: t('remittance.amount'), dataIndex: 'amount', align: 'right', render: (a: string) => formatAmount(a, currency, i18n.language) },
        { title: t('remittance.deduction'), dataIndex: 'deduction', align: 'right', render: (a: string) => (/^-?0(\.0+)?$/.test(a) ? '—' : formatAmount(a, currency, i18n.language)) },
      ]} />
  );
}

export function RemittanceCard() {
  const { t, i18n } = useTranslation('bank');
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [customer, setCustomer] = useState('');
  const [encoding, setEncoding] = useState('');
  const list = useQuery({ queryKey: KEY, queryFn: () => api.get<{ total: number; rows: Advice[] }>('/bank/remittances?limit=20') });
  const upload = useMutation({
    mutationFn: async () => api.post<Advice>('/bank/remittances', {
      fileName: file!.name, content: await readBase64(file!), ...(customer.trim() ? { customer: customer.trim() } : {}), ...(encoding ? { encoding } : {}),
    }, key),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: KEY }),
  });
  const { file, tooLarge, key, choose } = useChosenFile(() => upload.reset());
  const done = upload.data;
  const money = (a: Advice) => formatAmount(a.total, a.currency, i18n.language);
  const columns: TableColumnsType<Advice> = [
    { title: t('remittance.imported'), dataIndex: 'importedAt', render: (d: string) => formatDate(d.slice(0, 10), i18n.language) },
    { title: t('remittance.file'), dataIndex: 'fileName', render: (f: string | null) => f ?? '—' },
    { title: t('remittance.payer'), key: 'payer', render: (_: unknown, a) => (a.customer ? `${a.customer} ${a.customerName ?? ''}` : <Typography.Text type="secondary">{t('remittance.payerUnknown')}</Typography.Text>) },
    { title: t('remittance.total'), key: 'total', align: 'right', render: (_: unknown, a) => money(a) },
    { title: t('remittance.invoices'), dataIndex: 'lineCount', align: 'right' },
    { title: t('remittance.unknown'), dataIndex: 'unknownInvoices', align: 'right', render: (n: number) => (n ? <Tag color="orange">{n}</Tag> : 0) },
    { title: t('remittance.status'), key: 'status', render: (_: unknown, a) => (a.bankEntryId ? <Tag color="green">{t('remittance.used')}</Tag> : <Tag>{t('remittance.open')}</Tag>) },
  ];
  return (
    <Card size="small" title={t('remittance.title')} style={{ marginBottom: 16 }} data-testid="remittances">
      <Typography.Paragraph type="secondary">{t('remittance.intro')}</Typography.Paragraph>
      {can('bank.import') ? (
        <Space wrap style={{ marginBottom: 12 }}>
          <Upload accept=".csv,.xlsx,.txt,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" multiple={false} showUploadList={false}
            beforeUpload={choose}>
            <Button icon={<UploadOutlined />}>{file ? file.name : t('remittance.choose')}</Button>
          </Upload>
          <Input aria-label={t('remittance.customer')} placeholder={t('remittance.customer')} style={{ width: 220 }} value={customer} onChange={(e) => setCustomer(e.target.value)} maxLength={64} />
          <Select aria-label={t('import.encoding')} style={{ width: 200 }} value={encoding} onChange={setEncoding}
            options={[{ value: '', label: `${t('import.encoding')}: UTF-8` }, { value: 'gbk', label: 'GBK' }, { value: 'gb18030', label: 'GB18030' }]} />
          <Button type="primary" disabled={!file} loading={upload.isPending} onClick={() => upload.mutate()}>{t('remittance.submit')}</Button>
        </Space>
      ) : null}
      {tooLarge ? <Alert type="error" showIcon style={{ marginBottom: 12 }} message={t('import.tooLarge')} /> : null}
      {upload.error ? <ErrorAlert error={upload.error} ns="bank" /> : null}
      {done ? (
        <Alert type={done.unknownInvoices ? 'warning' : 'success'} showIcon style={{ marginBottom: 12 }} data-testid="remittance-result"
          message={t(done.alreadyImported ? 'remittance.already' : 'remittance.done', { count: done.lineCount, total: money(done), payer: done.customer ?? t('remittance.payerUnknown') })}
          description={done.unknownInvoices ? t('remittance.unknownHelp', { count: done.unknownInvoices }) : undefined} />
      ) : null}
      {list.error ? <ErrorAlert error={list.error} ns="bank" /> : null}
      <Table<Advice> rowKey="id" size="small" loading={list.isLoading} dataSource={list.data?.rows ?? []} columns={columns} pagination={false}
        locale={{ emptyText: t('remittance.empty') }} expandable={{ expandedRowRender: (a) => <AdviceLines id={a.id} /> }} />
    </Card>
  );
}
