/** Credit control: run a credit check, see the open holds (release them through approval), and the approval authority. */
import { useState } from 'react';
import { App as AntApp, Button, Card, Col, Descriptions, Form, Input, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { ExposureFigures, HoldReleaseButton, OUTCOME_COLORS } from './CreditPanel.tsx';
import { CreditSettingsCard } from './CreditSettingsCard.tsx';
import type { CheckReason, Hold, Position } from './control-types.ts';
import { formatNumber } from '../../shared/format.ts';

export function CreditPage() {
  const { t, i18n } = useTranslation('creditControl');
  const session = useSignedIn();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ customer: string; amount: string; currency?: string; kind: 'order' | 'shipment' | 'invoice' }>();
  const [result, setResult] = useState<Position | null>(null);
  const check = useMutation({
    mutationFn: (v: { customer: string; amount: string; currency?: string; kind: string }) =>
      api.post<Position>('/credit-checks', { customer: v.customer.trim(), amount: v.amount.trim(), kind: v.kind, ...(v.currency ? { currency: v.currency } : {}) }, newIdempotencyKey()),
    onSuccess: (r) => setResult(r),
  });
  const holds = useQuery({ queryKey: ['credit', 'holds', 'open'], queryFn: () => api.get<{ items: Hold[] }>('/credit/holds', { status: 'open' }) });
  const evaluate = useMutation({
    mutationFn: () => api.post<{ placed: unknown[] }>('/credit/holds/evaluate', {}, newIdempotencyKey()),
    onSuccess: (r) => {
      void message.success(t('holds.evaluated', { count: r.placed.length }));
      void queryClient.invalidateQueries({ queryKey: ['credit'] });
    },
  });
  const currency = result?.limit?.currency ?? result?.currency ?? session.company.currency;
  const reasonText = (r: CheckReason) => t(`check.why.${r.code}`, {
    defaultValue: r.message, over: r.over ? formatNumber(r.over, r.overCurrency ?? currency, i18n.language) : '', currency: r.overCurrency ?? '',
    percent: r.warnPercent ?? '', holds: (r.holds ?? []).map((h) => t(`holds.rules.${h}`, { defaultValue: h })).join(i18n.language.startsWith('zh') ? '、' : ', '),
  });
  return (
    <>
      <PageTitle title={t('title')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('check.title')}>
            <Form form={form} layout="vertical" initialValues={{ kind: 'order' }} onFinish={(v) => check.mutate(v)}>
              <Space wrap align="end">
                <Form.Item name="customer" label={t('check.customer')} rules={[{ required: true, message: t('forms.required') }]}><Input style={{ width: 140 }} /></Form.Item>
                <Form.Item name="amount" label={t('check.amount')} rules={[{ required: true, message: t('forms.required') }]}><Input inputMode="decimal" style={{ width: 140 }} /></Form.Item>
                <Form.Item name="currency" label={t('check.currency')}><Input style={{ width: 80 }} maxLength={3} placeholder={session.company.currency} /></Form.Item>
                <Form.Item name="kind" label={t('check.kind')}>
                  <Select style={{ width: 120 }} options={(['order', 'shipment', 'invoice'] as const).map((k) => ({ value: k, label: t(`check.kinds.${k}`) }))} />
                </Form.Item>
                <Form.Item><Button type="primary" htmlType="submit" loading={check.isPending}>{t('check.run')}</Button></Form.Item>
              </Space>
            </Form>
            {check.error ? <ErrorAlert error={check.error} /> : null}
            {result ? (
              <div data-testid="credit-check-result">
                <Space style={{ marginBottom: 8 }}>
                  <Tag color={OUTCOME_COLORS[result.outcome]} style={{ fontSize: 16, padding: '4px 10px' }}>{t(`check.outcome.${result.outcome}`)}</Tag>
                  <Link to={`/customers/${encodeURIComponent(result.customer)}`}>{result.customer}</Link>
                  <Amount value={result.amount} currency={result.currency} />
                </Space>
                <Typography.Paragraph>
                  <ul style={{ margin: 0 }}>{result.reasons.map((r) => <li key={r.code}>{reasonText(r)}</li>)}</ul>
                </Typography.Paragraph>
                <Descriptions size="small" column={1} colon={false}>
                  <Descriptions.Item label={t('panel.total')}>{result.limit ? <Amount value={result.limit.total} currency={currency} strong /> : t('panel.none')}</Descriptions.Item>
                  {result.group ? <Descriptions.Item label={t('panel.groupLimit', { head: result.group.head })}><Amount value={result.group.limit.total} currency={result.group.limit.currency} /> · {t('panel.exposure')} <Amount value={result.group.exposure.total} currency={result.group.limit.currency} /> · {result.group.utilisation ?? '—'}%</Descriptions.Item> : null}
                </Descriptions>
                <ExposureFigures position={result} />
              </div>
            ) : null}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <CreditSettingsCard />
        </Col>
        <Col span={24}>
          <Card title={t('holds.title')} extra={can('credit.hold') ? <Button onClick={() => evaluate.mutate()} loading={evaluate.isPending}>{t('holds.evaluate')}</Button> : null}>
            {holds.error ? <ErrorAlert error={holds.error} /> : null}
            <Table size="small" rowKey="id" loading={holds.isLoading} dataSource={holds.data?.items ?? []} pagination={false} locale={{ emptyText: t('holds.empty') }} columns={[
              { title: t('holds.customer'), render: (_, h) => <Link to={`/customers/${encodeURIComponent(h.customer)}`}>{h.customer} {h.customerName}</Link> },
              { title: t('holds.rule'), render: (_, h) => t(`holds.rules.${h.rule}`) },
              { title: t('holds.since'), dataIndex: 'placedOn' },
              { title: t('holds.status'), render: (_, h) => <Tag color={h.status === 'active' ? 'red' : 'gold'}>{t(`holds.statuses.${h.status}`)}</Tag> },
              { title: t('holds.reason'), dataIndex: 'reason' },
              { title: '', render: (_, h) => (can('credit.hold') ? <HoldReleaseButton hold={h} /> : null) },
            ]} />
          </Card>
        </Col>
      </Row>
    </>
  );
}
