/**
 * A bank's CSV mapping profile (CSV 映射方案), edited in a form: the file's shape (delimiter, encoding, rows before the
 * header, date and number formats) and which column holds what. A sample export from the bank fills the column
 * choices with its own headers, read in the browser (nothing is uploaded until the profile is saved). The server
 * checks the profile (src/domain/bank/csv-export.ts) and names a wrong field, which the form shows on it.
 */
import { useMemo, useState } from 'react';
import { Alert, AutoComplete, Button, Col, Divider, Form, Input, InputNumber, Modal, Radio, Row, Select, Space, Typography, Upload } from 'antd';
import { FileSearchOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { parse } from 'csv-parse/browser/esm/sync';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { ErrorAlert } from '../../shared/components.tsx';
import { showFieldErrors } from '../../shared/errors.ts';
import type { CsvProfile } from './types.ts';

const DELIMITERS = [',', ';', '\t', '|'] as const;
const ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'windows-1252', 'iso-8859-2', 'cp850'];
const DATE_FORMATS = ['YYYY-MM-DD', 'YYYY/MM/DD', 'YYYYMMDD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'DD-MM-YYYY', 'YYYY.MM.DD'];
const THOUSANDS = ['', ',', '.', ' ', "'"] as const;
/** Only the start of a sample is read for its headers. */
const SAMPLE_BYTES = 64 * 1024;

type AmountMode = 'signed' | 'direction' | 'split';
const COLUMN_FIELDS = ['bookingDate', 'valueDate', 'amount', 'direction', 'debit', 'credit', 'currency', 'balance', 'bankReference', 'endToEndId', 'counterpartyName', 'counterpartyAccount', 'transactionCode'] as const;
type ColumnField = (typeof COLUMN_FIELDS)[number];

interface FormValues {
  name: string;
  accountId: string;
  currency: string;
  delimiter: (typeof DELIMITERS)[number];
  encoding: string;
  skipRows: number;
  dateFormat: string;
  decimalSeparator: '.' | ',';
  thousandsSeparator: (typeof THOUSANDS)[number];
  mode: AmountMode;
  columns: Partial<Record<ColumnField, string>> & { remittance?: string[] };
  debitValues: string[];
}

function initialValues(profile: CsvProfile | null): FormValues {
  if (!profile) {
    return { name: '', accountId: '', currency: 'CNY', delimiter: ',', encoding: 'utf-8', skipRows: 0, dateFormat: 'YYYY-MM-DD', decimalSeparator: '.', thousandsSeparator: '', mode: 'signed', columns: {}, debitValues: ['D', 'DR', 'DEBIT', '借'] };
  }
  const c = profile.columns;
  const mode: AmountMode = c.debit !== undefined ? 'split' : c.direction !== undefined ? 'direction' : 'signed';
  return { ...profile, mode, columns: { ...c }, debitValues: profile.debitValues ?? [] } as FormValues;
}

/** The profile the API takes: the columns of the chosen amount mode only, empty ones left out. */
function profileBody(v: FormValues) {
  const keep: Record<AmountMode, ColumnField[]> = { signed: ['amount'], direction: ['amount', 'direction'], split: ['debit', 'credit'] };
  const amountFields: ColumnField[] = ['amount', 'direction', 'debit', 'credit'];
  const columns: Record<string, string | string[]> = {};
  for (const field of COLUMN_FIELDS) {
    const value = v.columns[field]?.trim();
    if (!value) continue;
    if (amountFields.includes(field) && !keep[v.mode].includes(field)) continue;
    columns[field] = value;
  }
  const remittance = (v.columns.remittance ?? []).map((r) => r.trim()).filter(Boolean);
  if (remittance.length) columns.remittance = remittance;
  return {
    name: v.name.trim(), accountId: v.accountId.trim(), currency: v.currency.trim().toUpperCase(), delimiter: v.delimiter, encoding: v.encoding,
    skipRows: v.skipRows ?? 0, dateFormat: v.dateFormat, decimalSeparator: v.decimalSeparator, thousandsSeparator: v.thousandsSeparator,
    columns, ...(v.mode === 'direction' ? { debitValues: v.debitValues.map((d) => d.trim()).filter(Boolean) } : {}),
  };
}

/** The header cells of a sample file, read with the profile's encoding, delimiter and rows to skip. */
async function sampleHeaders(file: File, v: Pick<FormValues, 'encoding' | 'delimiter' | 'skipRows'>): Promise<string[]> {
  const bytes = new Uint8Array(await file.slice(0, SAMPLE_BYTES).arrayBuffer());
  let text: string;
  try {
    text = new TextDecoder(v.encoding === 'cp850' ? 'ibm866' : v.encoding).decode(bytes);
  } catch {
    text = new TextDecoder('utf-8').decode(bytes);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).slice(v.skipRows ?? 0);
  const header = lines.find((l) => l.trim() !== '') ?? '';
  const [cells] = parse(header, { delimiter: v.delimiter, relax_quotes: true, relax_column_count: true, trim: true }) as string[][];
  return (cells ?? []).filter((c) => c !== '');
}

export function CsvProfileFormModal({ profile, open, onClose }: { profile: CsvProfile | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation('bank');
  const queryClient = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const [headers, setHeaders] = useState<string[]>([]);
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [key, setKey] = useState(newIdempotencyKey());
  const initial = useMemo(() => initialValues(profile), [profile]);
  const mode = Form.useWatch('mode', form) ?? initial.mode;
  const save = useMutation({
    mutationFn: (v: FormValues) => api.post<CsvProfile & { created: boolean }>('/bank/profiles', profileBody(v), key),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['bank', 'profiles'] });
      setKey(newIdempotencyKey());
      onClose();
    },
    onError: (e) => showFieldErrors(form, e),
  });
  const options = headers.map((h) => ({ value: h }));
  const columnInput = (field: ColumnField, required = false) => (
    <Form.Item name={['columns', field]} label={t(`profiles.columns.${field}`)} rules={required ? [{ required: true, whitespace: true, message: t('profiles.required') }] : []}>
      <AutoComplete options={options} allowClear filterOption={(input, option) => String(option?.value ?? '').toLowerCase().includes(input.toLowerCase())} />
    </Form.Item>
  );

  return (
    <Modal open={open} width={860} destroyOnHidden title={profile ? t('profiles.editTitle', { name: profile.name }) : t('profiles.newTitle')}
      onCancel={onClose} okText={t('profiles.save')} cancelText={t('profiles.cancel')} confirmLoading={save.isPending} onOk={() => form.submit()}>
      <Form<FormValues> form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)}>
        {save.error ? <div style={{ marginBottom: 12 }}><ErrorAlert error={save.error} ns="bank" /></div> : null}
        <Row gutter={12}>
          <Col xs={24} md={10}>
            <Form.Item name="name" label={t('profiles.name')} extra={profile ? undefined : t('profiles.nameHint')} rules={[{ required: true, whitespace: true, message: t('profiles.required') }]}>
              <Input maxLength={100} disabled={profile !== null} />
            </Form.Item>
          </Col>
          <Col xs={24} md={9}>
            <Form.Item name="accountId" label={t('profiles.accountId')} rules={[{ required: true, whitespace: true, message: t('profiles.required') }]}><Input maxLength={64} /></Form.Item>
          </Col>
          <Col xs={24} md={5}>
            <Form.Item name="currency" label={t('profiles.currency')} rules={[{ required: true, pattern: /^[A-Za-z]{3}$/, message: t('profiles.currencyFormat') }]}>
              <Input maxLength={3} style={{ textTransform: 'uppercase' }} />
            </Form.Item>
          </Col>
        </Row>
        <Divider titlePlacement="start" plain>{t('profiles.file')}</Divider>
        <Row gutter={12}>
          <Col xs={12} md={5}>
            <Form.Item name="delimiter" label={t('profiles.delimiter')}>
              <Select options={DELIMITERS.map((d) => ({ value: d, label: t(`profiles.delimiters.${d === '\t' ? 'tab' : d === ',' ? 'comma' : d === ';' ? 'semicolon' : 'pipe'}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={12} md={5}>
            <Form.Item name="encoding" label={t('profiles.encoding')}><Select options={ENCODINGS.map((e) => ({ value: e, label: e }))} /></Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item name="skipRows" label={t('profiles.skipRows')}><InputNumber min={0} max={50} precision={0} style={{ width: '100%' }} /></Form.Item>
          </Col>
          <Col xs={12} md={5}>
            <Form.Item name="dateFormat" label={t('profiles.dateFormat')}><Select options={DATE_FORMATS.map((d) => ({ value: d, label: d }))} /></Form.Item>
          </Col>
          <Col xs={12} md={2}>
            <Form.Item name="decimalSeparator" label={t('profiles.decimal')}><Select options={[{ value: '.', label: '.' }, { value: ',', label: ',' }]} /></Form.Item>
          </Col>
          <Col xs={12} md={3}>
            <Form.Item name="thousandsSeparator" label={t('profiles.thousands')}>
              <Select options={THOUSANDS.map((s) => ({ value: s, label: s === '' ? t('profiles.none') : s === ' ' ? t('profiles.space') : s }))} />
            </Form.Item>
          </Col>
        </Row>
        <Space align="center" wrap style={{ marginBottom: 12 }}>
          <Upload accept=".csv,.txt,text/*" showUploadList={false} beforeUpload={(file) => {
            setSampleError(null);
            sampleHeaders(file, form.getFieldsValue(['encoding', 'delimiter', 'skipRows']) as FormValues)
              .then((found) => (found.length ? setHeaders(found) : setSampleError(t('profiles.noHeaders'))))
              .catch((e: unknown) => setSampleError(String((e as Error).message ?? e)));
            return false;
          }}>
            <Button icon={<FileSearchOutlined />}>{t('profiles.sample')}</Button>
          </Upload>
          <Typography.Text type="secondary" data-testid="sample-headers">
            {headers.length ? t('profiles.headersFound', { count: headers.length, headers: headers.join(' · ') }) : t('profiles.sampleHint')}
          </Typography.Text>
        </Space>
        {sampleError ? <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={sampleError} /> : null}
        <Divider titlePlacement="start" plain>{t('profiles.mapping')}</Divider>
        <Form.Item name="mode" label={t('profiles.amountMode')}>
          <Radio.Group options={(['signed', 'direction', 'split'] as const).map((m) => ({ value: m, label: t(`profiles.modes.${m}`) }))} />
        </Form.Item>
        <Row gutter={12}>
          <Col xs={24} md={8}>{columnInput('bookingDate', true)}</Col>
          <Col xs={24} md={8}>{columnInput('valueDate')}</Col>
          {mode === 'split'
            ? <><Col xs={24} md={8}>{columnInput('debit', true)}</Col><Col xs={24} md={8}>{columnInput('credit', true)}</Col></>
            : <Col xs={24} md={8}>{columnInput('amount', true)}</Col>}
          {mode === 'direction' ? (
            <>
              <Col xs={24} md={8}>{columnInput('direction', true)}</Col>
              <Col xs={24} md={8}>
                <Form.Item name="debitValues" label={t('profiles.debitValues')} extra={t('profiles.debitValuesHint')}>
                  <Select mode="tags" tokenSeparators={[',']} maxCount={10} />
                </Form.Item>
              </Col>
            </>
          ) : null}
          <Col xs={24} md={8}>{columnInput('currency')}</Col>
          <Col xs={24} md={8}>{columnInput('balance')}</Col>
          <Col xs={24} md={8}>{columnInput('bankReference')}</Col>
          <Col xs={24} md={8}>{columnInput('endToEndId')}</Col>
          <Col xs={24} md={8}>{columnInput('counterpartyName')}</Col>
          <Col xs={24} md={8}>{columnInput('counterpartyAccount')}</Col>
          <Col xs={24} md={8}>{columnInput('transactionCode')}</Col>
          <Col xs={24} md={16}>
            <Form.Item name={['columns', 'remittance']} label={t('profiles.columns.remittance')} extra={t('profiles.remittanceHint')}>
              <Select mode="tags" maxCount={5} options={options} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
