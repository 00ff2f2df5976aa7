/**
 * The credit file as a form (信用档案): the Z-score form, external ratings, trade credit insurance, qualitative factors,
 * attached documents' metadata, the group limit (parents) and a note. Saving PUTs the whole file; the API keeps every
 * version and names the field of anything it refuses, which the form shows on that field.
 */
import { useState } from 'react';
import { App as AntApp, Button, Card, Col, DatePicker, Divider, Form, Input, InputNumber, Modal, Row, Select, Space, Switch } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { api, ApiError, newIdempotencyKey } from '../../api/client.ts';
import { ErrorAlert } from '../../shared/components.tsx';
import type { CreditFileView } from './types.ts';

type File = CreditFileView['file'] & { note?: string };
const AMOUNT = /^\d{1,17}(\.\d{1,4})?$/;
const day = (v: string | null | undefined) => (v ? dayjs(v) : null);
const text = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : '');

interface Fields {
  zModel: File['zModel'];
  externalRatings: { agency: string; grade: string; date: Dayjs | null }[];
  insured: boolean;
  insurer?: string; insuredLimit?: string; insuranceCurrency?: string; validFrom?: Dayjs | null; validTo?: Dayjs | null; notificationDays?: number | null;
  yearsInBusiness: number | null; reputation: string | null; industryRisk: string | null; ownership: string;
  documents: { name: string; kind: string; date: Dayjs | null; reference: string }[];
  groupLimit: string;
  note: string;
}

function toFields(f: File, currency: string): Fields {
  return {
    zModel: f.zModel,
    externalRatings: f.externalRatings.map((r) => ({ ...r, date: day(r.date) })),
    insured: f.insurance !== null,
    insurer: f.insurance?.insurer ?? '', insuredLimit: f.insurance?.insuredLimit ?? '', insuranceCurrency: f.insurance?.currency ?? currency,
    validFrom: day(f.insurance?.validFrom), validTo: day(f.insurance?.validTo), notificationDays: f.insurance?.notificationDays ?? null,
    yearsInBusiness: f.qualitative.yearsInBusiness, reputation: f.qualitative.reputation, industryRisk: f.qualitative.industryRisk, ownership: f.qualitative.ownership ?? '',
    documents: f.documents.map((d) => ({ ...d, date: day(d.date) })),
    groupLimit: f.groupLimit ?? '',
    note: f.note ?? '',
  };
}

function toFile(v: Fields) {
  return {
    zModel: v.zModel,
    externalRatings: (v.externalRatings ?? []).map((r) => ({ agency: r.agency?.trim() ?? '', grade: r.grade?.trim() ?? '', date: text(r.date) })),
    insurance: v.insured ? {
      insurer: v.insurer?.trim() ?? '', insuredLimit: v.insuredLimit?.trim() ?? '', currency: v.insuranceCurrency?.trim().toUpperCase() ?? '',
      validFrom: text(v.validFrom), validTo: text(v.validTo), notificationDays: v.notificationDays ?? 0,
    } : null,
    qualitative: { yearsInBusiness: v.yearsInBusiness ?? null, reputation: v.reputation ?? null, industryRisk: v.industryRisk ?? null, ownership: v.ownership?.trim() || null },
    documents: (v.documents ?? []).map((d) => ({ name: d.name?.trim() ?? '', kind: d.kind?.trim() ?? '', date: text(d.date), reference: d.reference?.trim() ?? '' })),
    groupLimit: v.groupLimit?.trim() || null,
    note: v.note?.trim() ?? '',
  };
}

/** The API's field path (body.insurance.insuredLimit, externalRatings.0.date) as this form's field name. */
function fieldOf(path: string): (string | number)[] | null {
  const parts = path.replace(/^body\./, '').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (parts[0] === 'insurance') return parts[1] === 'currency' ? ['insuranceCurrency'] : parts.length > 1 ? [parts[1]!] : ['insured'];
  if (parts[0] === 'qualitative') return parts.length > 1 ? [parts[1]!] : null;
  if (['externalRatings', 'documents'].includes(String(parts[0]))) return parts.length >= 3 ? parts.slice(0, 3) : null;
  return ['zModel', 'groupLimit', 'note'].includes(String(parts[0])) ? [parts[0]!] : null;
}

export function CreditFileButton({ code, file, currency, isParent }: { code: string; file: File; currency: string; isParent: boolean }) {
  const { t } = useTranslation('credit');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Fields>();
  const insured = Form.useWatch('insured', form);
  const save = useMutation({
    mutationFn: (v: Fields) => api.put(`/customers/${encodeURIComponent(code)}/credit`, toFile(v), newIdempotencyKey()),
    onSuccess: () => {
      setOpen(false);
      void message.success(t('edit.saved'));
      void client.invalidateQueries({ queryKey: ['credit', code] });
    },
    onError: (error) => {
      if (!(error instanceof ApiError)) return;
      const fields = error.details.flatMap((d) => {
        const name = d.field ? fieldOf(d.field) : null;
        return name ? [{ name, errors: [d.message] }] : [];
      });
      if (fields.length) form.setFields(fields as never);
    },
  });
  const required = { required: true, message: t('edit.required') };
  const listCard = (name: 'externalRatings' | 'documents', title: string, add: string, columns: { key: string; label: string; span: number; input: React.ReactNode; rules?: object[] }[]) => (
    <Card size="small" title={title} style={{ marginBottom: 12 }}>
      <Form.List name={name}>
        {(rows, { add: addRow, remove }) => (
          <>
            {rows.map((row) => (
              <Row gutter={8} key={row.key} align="top">
                {columns.map((c) => (
                  <Col span={c.span} key={c.key}>
                    <Form.Item name={[row.name, c.key]} label={row.name === 0 ? c.label : undefined} aria-label={c.label} rules={c.rules}>{c.input}</Form.Item>
                  </Col>
                ))}
                <Col span={2} style={{ paddingTop: row.name === 0 ? 30 : 4 }}>
                  <Button type="text" aria-label={t('form.remove')} icon={<MinusCircleOutlined />} onClick={() => remove(row.name)} />
                </Col>
              </Row>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => addRow()}>{add}</Button>
          </>
        )}
      </Form.List>
    </Card>
  );
  return (
    <>
      <Button onClick={() => { form.setFieldsValue(toFields(file, currency)); save.reset(); setOpen(true); }}>{t('edit.editFile')}</Button>
      <Modal open={open} title={t('edit.fileTitle', { code })} okText={t('edit.save')} confirmLoading={save.isPending} width={860} destroyOnHidden
        onCancel={() => setOpen(false)} onOk={() => form.submit()}>
        {save.error ? <ErrorAlert error={save.error} ns="credit" /> : null}
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} requiredMark={false}>
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item name="zModel" label={t('file.zModel')}>
                <Select options={(['public', 'private', 'nonManufacturing'] as const).map((m) => ({ value: m, label: t(`zModel.${m}`) }))} />
              </Form.Item>
            </Col>
            {isParent ? (
              <Col span={12}>
                <Form.Item name="groupLimit" label={`${t('form.groupLimit')} (${currency})`} extra={t('form.groupLimitHint')} rules={[{ pattern: AMOUNT, message: t('form.amount') }]}>
                  <Input placeholder="1000000.00" inputMode="decimal" />
                </Form.Item>
              </Col>
            ) : null}
          </Row>
          {listCard('externalRatings', t('file.ratings'), t('form.addRating'), [
            { key: 'agency', label: t('form.agency'), span: 9, input: <Input placeholder="中诚信" />, rules: [required] },
            { key: 'grade', label: t('form.ratingGrade'), span: 5, input: <Input placeholder="AA" />, rules: [required] },
            { key: 'date', label: t('form.date'), span: 8, input: <DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} />, rules: [required] },
          ])}
          <Card size="small" title={t('file.insurance')} style={{ marginBottom: 12 }} extra={<Form.Item name="insured" valuePropName="checked" noStyle><Switch aria-label={t('form.insured')} checkedChildren={t('form.insured')} unCheckedChildren={t('form.notInsured')} /></Form.Item>}>
            {insured ? (
              <Row gutter={8}>
                <Col span={10}><Form.Item name="insurer" label={t('form.insurer')} rules={[required]}><Input placeholder="中国出口信用保险公司" /></Form.Item></Col>
                <Col span={8}><Form.Item name="insuredLimit" label={t('form.insuredLimit')} rules={[required, { pattern: AMOUNT, message: t('form.amount') }]}><Input placeholder="500000.00" inputMode="decimal" /></Form.Item></Col>
                <Col span={6}><Form.Item name="insuranceCurrency" label={t('form.currency')} rules={[required, { len: 3, message: t('form.currencyCode') }]}><Input maxLength={3} /></Form.Item></Col>
                <Col span={8}><Form.Item name="validFrom" label={t('form.validFrom')} rules={[required]}><DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} /></Form.Item></Col>
                <Col span={8}><Form.Item name="validTo" label={t('form.validTo')} rules={[required]}><DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} /></Form.Item></Col>
                <Col span={8}><Form.Item name="notificationDays" label={t('form.notificationDays')} rules={[required]}><InputNumber min={0} max={365} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
              </Row>
            ) : <span className="ant-form-item-extra">{t('form.notInsuredHint')}</span>}
          </Card>
          <Card size="small" title={t('file.qualitative')} style={{ marginBottom: 12 }}>
            <Row gutter={8}>
              <Col span={6}><Form.Item name="yearsInBusiness" label={t('form.yearsInBusiness')}><InputNumber min={0} max={500} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
              <Col span={6}><Form.Item name="reputation" label={t('file.reputation')}><Select allowClear options={(['good', 'average', 'poor'] as const).map((v) => ({ value: v, label: t(`value.${v}`) }))} /></Form.Item></Col>
              <Col span={6}><Form.Item name="industryRisk" label={t('file.industryRisk')}><Select allowClear options={(['low', 'medium', 'high'] as const).map((v) => ({ value: v, label: t(`value.${v}`) }))} /></Form.Item></Col>
              <Col span={6}><Form.Item name="ownership" label={t('form.ownership')}><Input placeholder={t('form.ownershipHint')} maxLength={200} /></Form.Item></Col>
            </Row>
          </Card>
          {listCard('documents', t('file.documents'), t('form.addDocument'), [
            { key: 'name', label: t('form.documentName'), span: 7, input: <Input placeholder="2025 年度审计报告" />, rules: [required] },
            { key: 'kind', label: t('form.documentKind'), span: 4, input: <Input placeholder="financials" />, rules: [required] },
            { key: 'date', label: t('form.date'), span: 5, input: <DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} />, rules: [required] },
            { key: 'reference', label: t('form.reference'), span: 6, input: <Input placeholder="DMS-2025-001" /> },
          ])}
          <Divider style={{ margin: '8px 0' }} />
          <Form.Item name="note" label={t('form.note')}><Input.TextArea rows={2} maxLength={2000} /></Form.Item>
          <Space><span className="ant-form-item-extra">{t('form.versionHint')}</span></Space>
        </Form>
      </Modal>
    </>
  );
}
