/**
 * The statement form (one period's 13 figures) of the credit file; the file itself and the scorecard have their own
 * forms (CreditFileForm.tsx, ScorecardForm.tsx). Every save is idempotent and audited server-side.
 */
import { useState } from 'react';
import { App as AntApp, Button, Col, DatePicker, Form, Input, Modal, Row, Space, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { ErrorAlert } from '../../shared/components.tsx';
import { readBase64 } from '../../shared/files.ts';

export const FIGURES = [
  'currentAssets', 'cash', 'inventory', 'receivables', 'totalAssets', 'currentLiabilities', 'totalLiabilities', 'equity',
  'retainedEarnings', 'sales', 'ebit', 'netIncome', 'interestExpense',
] as const;
const AMOUNT = /^-?\d{1,17}(\.\d{1,4})?$/;

export function StatementButton({ code }: { code: string }) {
  const { t } = useTranslation('credit');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const [form] = Form.useForm();
  const save = useMutation({
    mutationFn: (v: Record<string, unknown>) => api.post(`/customers/${encodeURIComponent(code)}/financials`, {
      statements: [{ ...Object.fromEntries(FIGURES.map((f) => [f, String(v[f] ?? '').trim()])), periodEnd: (v.periodEnd as { format(f: string): string }).format('YYYY-MM-DD') }],
    }, key),
    onSuccess: () => {
      setOpen(false);
      form.resetFields();
      void message.success(t('edit.statementSaved'));
      void client.invalidateQueries({ queryKey: ['credit', code] });
    },
  });
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t('edit.addStatement')}</Button>
      <Modal open={open} title={t('edit.addStatement')} okText={t('edit.save')} confirmLoading={save.isPending} width={720}
        onCancel={() => setOpen(false)} onOk={() => void form.validateFields().then((v) => save.mutate(v as Record<string, unknown>))} destroyOnHidden>
        {save.error ? <ErrorAlert error={save.error} ns="credit" /> : null}
        <Form form={form} layout="vertical">
          <Form.Item name="periodEnd" label={t('statements.period')} rules={[{ required: true, message: t('edit.required') }]}><DatePicker format="YYYY-MM-DD" /></Form.Item>
          <Row gutter={12}>
            {FIGURES.map((f) => (
              <Col span={8} key={f}>
                <Form.Item name={f} label={t(`figure.${f}`)} rules={[{ required: true, message: t('edit.required') }, { pattern: AMOUNT, message: t('edit.amount') }]}>
                  <Input placeholder="1234.50" inputMode="decimal" />
                </Form.Item>
              </Col>
            ))}
          </Row>
        </Form>
      </Modal>
    </>
  );
}

/**
 * Imports statements of many customers from a CSV or XLSX file (the columns of `arflow credit financials import`):
 * all or nothing; the API names the line of each problem, shown as it says.
 */
export function ImportStatementsButton() {
  const { t } = useTranslation('credit');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const upload = useMutation({
    mutationFn: async (file: File) => api.post<{ recorded: number; customers: number }>('/credit/financials/import', { fileName: file.name, content: await readBase64(file) }, newIdempotencyKey()),
    onSuccess: (r) => {
      void message.success(t('edit.imported', { count: r.recorded, customers: r.customers }));
      void client.invalidateQueries({ queryKey: ['credit'] });
    },
  });
  return (
    <Space direction="vertical" size={4}>
      <Upload accept=".csv,.xlsx" showUploadList={false} maxCount={1} beforeUpload={(file) => { upload.mutate(file); return false; }}>
        <Button icon={<UploadOutlined />} loading={upload.isPending} title={t('edit.importHint')}>{t('edit.importStatements')}</Button>
      </Upload>
      {upload.error ? <ErrorAlert error={upload.error} ns="credit" /> : null}
    </Space>
  );
}

