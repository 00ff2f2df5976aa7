/**
 * Recording a payment received: who paid, when, how much, and which open items it settles. The amounts are checked
 * here as the API would check them (in minor units, never floats), and the form posts under one idempotency key for
 * its whole life, so a double click or a retry after a lost answer cannot post the payment twice.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { App, Button, Card, Col, DatePicker, Form, Input, Row, Select, Space } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError, newIdempotencyKey } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { showFieldErrors } from '../../shared/errors.ts';
import { checkApplication, serverLineErrors } from './apply.ts';
import { ApplyTable, useOpenLines } from './ApplyTable.tsx';
import { CustomerSelect } from './CustomerSelect.tsx';
import { formatMinor, parseMinor, todayIn } from './money.ts';
import { documentPath, type LedgerDocument } from './types.ts';

const COMMON_CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP'];

interface PaymentForm {
  customer?: string;
  number?: string;
  documentDate: Dayjs;
  amount?: string;
  currency?: string;
  memo?: string;
}

export function RecordPaymentPage() {
  const { t, i18n } = useTranslation('documents');
  const session = useSignedIn();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [params] = useSearchParams();
  const [form] = Form.useForm<PaymentForm>();
  const [key] = useState(newIdempotencyKey);
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [customerCurrency, setCustomerCurrency] = useState<string | null>(null);
  const [sent, setSent] = useState<{ document: string; amount: string }[]>([]);
  // Opened from an invoice ("record a payment" on its page): its currency first, then the invoice paid in full.
  const fromAddress = useRef({ currency: params.get('currency'), document: params.get('document') });

  const customer = Form.useWatch('customer', form);
  const currency = Form.useWatch('currency', form) ?? session.company.currency;
  const amountText = Form.useWatch('amount', form) ?? '';
  const amountMinor = useMemo(() => {
    const minor = amountText.trim() ? parseMinor(amountText, currency) : null;
    return typeof minor === 'bigint' && minor > 0n ? minor : null;
  }, [amountText, currency]);

  const open = useOpenLines(customer, currency);
  useEffect(() => {
    const wanted = fromAddress.current.document;
    const line = wanted ? open.lines.find((l) => l.number === wanted) : undefined;
    if (!line) return;
    fromAddress.current.document = null;
    const full = formatMinor(line.openMinor, line.currency);
    setAmounts({ [line.number]: full });
    if (!form.getFieldValue('amount')) form.setFieldValue('amount', full);
  }, [open.lines, form]);
  const check = checkApplication(open.lines, amounts, amountMinor, currency);

  const post = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<{ document: LedgerDocument; outcome: string }>('/documents', body, key),
    onSuccess: (result) => {
      void message.success(t('payment.posted', { number: result.document.number }));
      void client.invalidateQueries();
      navigate(documentPath(result.document.kind, result.document.number));
    },
    onError: (error) => {
      // One field named by a code this page translates (a number already used): say it in the page's language.
      const translated = error instanceof ApiError && error.details.length === 1 && i18n.exists(`documents:errors.${error.code}`)
        ? new ApiError(error.status, error.code, error.message, [{ ...error.details[0]!, message: t(`errors.${error.code}`) }])
        : error;
      showFieldErrors(form, translated);
    },
  });

  const currencies = [...new Set([customerCurrency, session.company.currency, ...COMMON_CURRENCIES].filter((c): c is string => Boolean(c)))];

  const submit = (values: PaymentForm) => {
    if (post.isPending) return;
    if (check.overApplied || Object.keys(check.lineProblems).length > 0) {
      void message.error(t('payment.fixLines'));
      return;
    }
    const minor = parseMinor(values.amount ?? '', currency);
    if (typeof minor !== 'bigint') return;
    setSent(check.entries);
    post.mutate({
      kind: 'payment',
      customer: values.customer,
      ...(values.number?.trim() ? { number: values.number.trim() } : {}),
      documentDate: values.documentDate.format('YYYY-MM-DD'),
      amount: formatMinor(minor, currency),
      currency,
      ...(values.memo?.trim() ? { memo: values.memo.trim() } : {}),
      ...(check.entries.length ? { appliesTo: check.entries } : {}),
    });
  };

  return (
    <>
      <PageTitle title={t('payment.title')} />
      <Form<PaymentForm>
        form={form}
        layout="vertical"
        requiredMark="optional"
        initialValues={{ customer: params.get('customer') ?? undefined, documentDate: dayjs(todayIn(session.company.timeZone)), currency: params.get('currency') ?? session.company.currency }}
        onFinish={submit}
      >
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          {post.error ? <ErrorAlert error={post.error} ns="documents" /> : null}
          <Card title={t('payment.details')} size="small">
            <Row gutter={16}>
              <Col xs={24} lg={12}>
                <Form.Item name="customer" label={t('payment.customer')} rules={[{ required: true, message: t('payment.customerRequired') }]}>
                  <CustomerSelect
                    placeholder={t('payment.customerPlaceholder')}
                    onChange={() => setAmounts({})}
                    onCustomer={(c) => {
                      setCustomerCurrency(c?.currency ?? null);
                      const currency = fromAddress.current.currency ?? c?.currency;
                      fromAddress.current.currency = null;
                      if (c && currency) form.setFieldValue('currency', currency);
                    }}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12} lg={6}>
                <Form.Item name="documentDate" label={t('payment.date')} rules={[{ required: true, message: t('payment.dateRequired') }]}>
                  <DatePicker style={{ width: '100%' }} allowClear={false} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12} lg={6}>
                <Form.Item name="number" label={t('payment.number')}>
                  <Input placeholder={t('payment.numberPlaceholder')} maxLength={64} autoComplete="off" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12} lg={6}>
                <Form.Item
                  name="amount"
                  label={t('payment.amount')}
                  rules={[
                    { required: true, message: t('payment.amountRequired') },
                    {
                      validator: (_, value?: string) => {
                        if (!value?.trim()) return Promise.resolve();
                        const minor = parseMinor(value, currency);
                        if (minor === 'format') return Promise.reject(new Error(t('apply.problems.format')));
                        if (minor === 'decimals') return Promise.reject(new Error(t('apply.problems.decimals', { currency })));
                        return minor > 0n ? Promise.resolve() : Promise.reject(new Error(t('payment.amountPositive')));
                      },
                    },
                  ]}
                >
                  <Input inputMode="decimal" autoComplete="off" style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12} lg={6}>
                <Form.Item name="currency" label={t('payment.currency')} rules={[{ required: true }]}>
                  <Select
                    showSearch
                    options={currencies.map((c) => ({ value: c, label: c }))}
                    onChange={() => {
                      setAmounts({});
                      void form.validateFields(['amount']).catch(() => {});
                    }}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} lg={12}>
                <Form.Item name="memo" label={t('payment.memo')}>
                  <Input maxLength={1000} autoComplete="off" />
                </Form.Item>
              </Col>
            </Row>
          </Card>
          <Card title={t('payment.applyTo')} size="small">
            <ApplyTable
              customer={customer}
              currency={currency}
              open={open}
              amounts={amounts}
              onAmounts={setAmounts}
              availableMinor={amountMinor}
              check={check}
              serverLineErrors={serverLineErrors(post.error, sent, t)}
              disabled={post.isPending}
            />
          </Card>
          <Space>
            <Button type="primary" htmlType="submit" loading={post.isPending} disabled={post.isSuccess}>{t('payment.submit')}</Button>
            <Button onClick={() => navigate(-1)}>{t('common:actions.cancel')}</Button>
          </Space>
        </Space>
      </Form>
    </>
  );
}
