/**
 * The customer form, for a new customer (POST with an idempotency key) and for a change (PATCH with the version it
 * was made against, only the fields that changed). The API's field errors land on the fields.
 */
import { useMemo, useState } from 'react';
import { AutoComplete, Button, Checkbox, Col, Divider, Form, Input, Modal, Row, Select, Space, Tooltip, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { ErrorAlert } from '../../shared/components.tsx';
import { showFieldErrors } from '../../shared/errors.ts';
import {
  CHANNELS, CONTACT_LANGUAGES, CUSTOMER_STATUSES, type ApprovalRequested, type Contact, type Customer, type CustomerFilters,
  type PaymentTerms,
} from './types.ts';

interface ContactValues {
  name?: string;
  role?: string;
  email?: string;
  phone?: string;
  preferredChannel: Contact['preferredChannel'];
  language: Contact['language'];
  isPrimary: boolean;
}

interface FormValues {
  code: string;
  name: string;
  taxId?: string;
  address?: string;
  parentCode?: string;
  currency: string;
  paymentTerms?: string;
  creditLimit?: string;
  segment?: string;
  region?: string;
  industry?: string;
  collector?: string;
  salesperson?: string;
  status: Customer['status'];
  contacts: ContactValues[];
}

export type SaveOutcome =
  | { kind: 'created' | 'saved' | 'unchanged'; customer: Customer }
  | { kind: 'approval'; approval: ApprovalRequested['approval'] };

const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const AMOUNT_PATTERN = /^\d{1,15}(\.\d{1,3})?$/;

function initialValues(customer: Customer | undefined, companyCurrency: string): FormValues {
  if (!customer) return { code: '', name: '', currency: companyCurrency, status: 'active', contacts: [] };
  const text = (v: string | null) => v ?? undefined;
  return {
    code: customer.code, name: customer.name, taxId: text(customer.taxId), parentCode: text(customer.parentCode), address: text(customer.address), currency: customer.currency,
    paymentTerms: text(customer.paymentTerms), creditLimit: text(customer.creditLimit), segment: text(customer.segment),
    region: text(customer.region), industry: text(customer.industry), collector: text(customer.collector),
    salesperson: text(customer.salesperson), status: customer.status,
    contacts: (customer.contacts ?? []).map((c) => ({
      name: c.name, role: text(c.role), email: text(c.email), phone: text(c.phone), preferredChannel: c.preferredChannel, language: c.language, isPrimary: c.isPrimary,
    })),
  };
}

/** Empty inputs are left out (the API reads a missing field as "none"), texts trimmed. */
function contactsBody(contacts: ContactValues[]) {
  return contacts.map((c) => ({
    name: (c.name ?? '').trim(),
    ...(c.role?.trim() ? { role: c.role.trim() } : {}),
    ...(c.email?.trim() ? { email: c.email.trim() } : {}),
    ...(c.phone?.trim() ? { phone: c.phone.trim() } : {}),
    preferredChannel: c.preferredChannel, language: c.language, isPrimary: c.isPrimary,
  }));
}

const TEXT_FIELDS = ['name', 'taxId', 'address', 'parentCode', 'segment', 'region', 'industry', 'collector', 'salesperson', 'paymentTerms', 'creditLimit'] as const;

export function CustomerFormModal({ customer, open, onClose, onSaved }: {
  /** The customer to change; none for a new one. */
  customer?: Customer;
  open: boolean;
  onClose: () => void;
  onSaved: (outcome: SaveOutcome) => void;
}) {
  const { t, i18n } = useTranslation('customers');
  const session = useSignedIn();
  const { can } = useSession();
  const [form] = Form.useForm<FormValues>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // One key per "create" action: a retry after a network failure repeats it safely; a new form gets a new key.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const editing = customer !== undefined;
  const mayChangeCredit = !editing || can('customers.credit');
  const initial = useMemo(() => initialValues(customer, session.company.currency), [customer, session.company.currency]);

  const filters = useQuery({ queryKey: ['customer-filters'], queryFn: () => api.get<CustomerFilters>('/customer-filters'), enabled: open, staleTime: 60_000 });
  const terms = useQuery({
    queryKey: ['terms'], queryFn: () => api.get<{ items: PaymentTerms[] }>('/terms'), enabled: open && can('terms.read'), staleTime: 5 * 60_000,
  });
  const suggestions = (values: string[] | undefined, label?: (v: string) => string) =>
    (values ?? []).map((value) => ({ value, label: label ? label(value) : value }));
  const zh = i18n.language.startsWith('zh');

  const submit = async (values: FormValues) => {
    setBusy(true);
    setError(null);
    try {
      const trimmed = (v: string | undefined) => (v === undefined ? '' : v.trim());
      if (!editing) {
        const body: Record<string, unknown> = { code: values.code.trim(), name: values.name.trim(), currency: values.currency.trim().toUpperCase(), status: values.status };
        for (const field of TEXT_FIELDS) if (trimmed(values[field])) body[field] = trimmed(values[field]);
        body.contacts = contactsBody(values.contacts ?? []);
        const created = await api.post<Customer & { outcome: 'created' | 'unchanged' }>('/customers', body, idempotencyKey);
        onSaved({ kind: created.outcome === 'unchanged' ? 'unchanged' : 'created', customer: created });
        return;
      }
      // A change sends what changed only: an untouched credit limit or terms must not ask for an approval.
      const patch: Record<string, unknown> = {};
      for (const field of TEXT_FIELDS) {
        const before = trimmed(initial[field]);
        const after = trimmed(values[field]);
        if (before !== after) patch[field] = after;
      }
      if (values.status !== initial.status) patch.status = values.status;
      const currency = values.currency.trim().toUpperCase();
      if (currency !== initial.currency) patch.currency = currency;
      const contacts = contactsBody(values.contacts ?? []);
      if (JSON.stringify(contacts) !== JSON.stringify(contactsBody(initial.contacts))) patch.contacts = contacts;
      if (Object.keys(patch).length === 0) {
        onSaved({ kind: 'unchanged', customer });
        return;
      }
      const answer = await api.patch<Customer | ApprovalRequested>(`/customers/${encodeURIComponent(customer.code)}`, { ...patch, version: customer.version });
      if ('outcome' in answer && answer.outcome === 'approval_requested') onSaved({ kind: 'approval', approval: answer.approval });
      else onSaved({ kind: 'saved', customer: answer as Customer });
    } catch (e) {
      const onFields = showFieldErrors(form, e);
      // Field errors sit on their fields; the banner says why the form was not saved.
      setError(onFields && e instanceof ApiError ? new ApiError(e.status, 'CUSTOMER_INVALID', e.message) : e);
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    setError(null);
    setIdempotencyKey(newIdempotencyKey());
    onClose();
  };

  return (
    <Modal
      open={open}
      title={editing ? t('form.editTitle', { code: customer.code }) : t('form.newTitle')}
      onCancel={close}
      width={880}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={close}>{t('common:actions.cancel')}</Button>,
        <Button key="save" type="primary" loading={busy} onClick={() => form.submit()}>{editing ? t('common:actions.save') : t('common:actions.create')}</Button>,
      ]}
    >
      <Form<FormValues> form={form} layout="vertical" initialValues={initial} onFinish={submit} scrollToFirstError>
        {error ? <div style={{ marginBottom: 16 }}><ErrorAlert error={error} ns="customers" /></div> : null}
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="code" label={t('form.code')} extra={editing ? undefined : t('form.codeHint')}
              rules={[{ required: true, message: t('form.required') }, { pattern: CODE_PATTERN, message: t('form.codeFormat') }]}>
              <Input disabled={editing} autoComplete="off" maxLength={64} />
            </Form.Item>
          </Col>
          <Col xs={24} md={16}>
            <Form.Item name="name" label={t('form.name')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="taxId" label={t('form.taxId')}>
              <Input maxLength={40} autoComplete="off" style={{ textTransform: 'uppercase' }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="parentCode" label={t('form.parentCode')} rules={[{ pattern: CODE_PATTERN, message: t('form.codeFormat') }]}>
              <Input maxLength={64} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="status" label={t('form.status')}>
              <Select options={CUSTOMER_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="currency" label={t('form.currency')} rules={[{ required: true, message: t('form.required') }, { pattern: /^[A-Za-z]{3}$/, message: t('form.currencyFormat') }]}>
              <AutoComplete options={suggestions(filters.data?.currencies)} maxLength={3} style={{ textTransform: 'uppercase' }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="paymentTerms" label={t('form.terms')} extra={editing && mayChangeCredit ? t('form.approvalHint') : undefined}>
              <Select
                allowClear
                disabled={!mayChangeCredit}
                placeholder={t('form.defaultTerms')}
                loading={terms.isLoading}
                options={(terms.data?.items ?? []).map((term) => ({ value: term.code, label: `${term.code} · ${zh ? term.descriptionZh : term.description}` }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="creditLimit" label={t('form.creditLimit')} rules={[{ pattern: AMOUNT_PATTERN, message: t('form.amountFormat') }]}
              extra={mayChangeCredit ? undefined : t('form.creditNeedsRole')}>
              <Input inputMode="decimal" disabled={!mayChangeCredit} className="amount-input" autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="segment" label={t('form.segment')}>
              <AutoComplete options={suggestions(filters.data?.segments, (v) => { const words = t(`segment.${v}`, { defaultValue: '' }); return words ? `${v} · ${words}` : v; })} maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="region" label={t('form.region')}>
              <AutoComplete options={suggestions(filters.data?.regions)} maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="industry" label={t('form.industry')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="collector" label={t('form.collector')}>
              <AutoComplete options={suggestions(filters.data?.collectors)} maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="salesperson" label={t('form.salesperson')}>
              <AutoComplete options={suggestions(filters.data?.salespeople)} maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="address" label={t('form.address')} extra={t('form.addressHint')}
              rules={[{ validator: async (_, v?: string) => { if (v && v.trim().split(/\r?\n/).length > 5) throw new Error(t('form.addressLines')); } }]}>
              <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={300} showCount />
            </Form.Item>
          </Col>
        </Row>
        <Divider titlePlacement="start" plain>{t('form.contacts')}</Divider>
        <Form.List name="contacts">
          {(fields, { add, remove }) => (
            <Space orientation="vertical" style={{ width: '100%' }}>
              {fields.map((field, index) => (
                <div key={field.key} className="contact-card" role="group" aria-label={`${t('form.contacts')} ${index + 1}`}>
                  <Row gutter={12} align="top">
                    <Col xs={24} md={8}>
                      <Form.Item name={[field.name, 'name']} label={t('contact.name')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
                        <Input maxLength={200} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={6}>
                      <Form.Item name={[field.name, 'role']} label={t('contact.role')}>
                        <Input maxLength={100} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={10}>
                      <Form.Item name={[field.name, 'email']} label={t('contact.email')} rules={[{ type: 'email', message: t('form.emailFormat') }]}>
                        <Input type="email" maxLength={254} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={8}>
                      <Form.Item name={[field.name, 'phone']} label={t('contact.phone')}>
                        <Input type="tel" maxLength={40} />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={5}>
                      <Form.Item name={[field.name, 'preferredChannel']} label={t('contact.channel')}>
                        <Select options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))} />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={5}>
                      <Form.Item name={[field.name, 'language']} label={t('contact.language')}>
                        <Select options={CONTACT_LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))} />
                      </Form.Item>
                    </Col>
                    <Col xs={18} md={4}>
                      <Form.Item name={[field.name, 'isPrimary']} label={t('form.primary')} valuePropName="checked">
                        <Checkbox aria-label={t('form.primary')} />
                      </Form.Item>
                    </Col>
                    <Col xs={6} md={2} style={{ textAlign: 'right' }}>
                      <Form.Item label={<span aria-hidden>&nbsp;</span>}>
                        <Tooltip title={t('form.removeContact', { index: index + 1 })}>
                          <Button danger icon={<DeleteOutlined />} aria-label={t('form.removeContact', { index: index + 1 })} onClick={() => remove(field.name)} />
                        </Tooltip>
                      </Form.Item>
                    </Col>
                  </Row>
                </div>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ preferredChannel: 'email', language: session.company.locale === 'en' ? 'en' : 'zh-CN', isPrimary: fields.length === 0 })}>
                {t('form.addContact')}
              </Button>
              {editing && !customer.contacts?.length && fields.length === 0 ? <Typography.Text type="secondary">{t('customer.noContacts')}</Typography.Text> : null}
            </Space>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
