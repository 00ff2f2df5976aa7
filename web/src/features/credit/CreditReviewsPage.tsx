/**
 * The credit review queue (信用复核): customers whose review is due by the as-of date or who were never graded but
 * owe money; a review form records the decision, proposed grade and limit and runs an assessment that takes effect.
 * Below it, the company's scorecard (factors, bins, weights, grade policies) as the API applies it.
 */
import { useState } from 'react';
import { App as AntApp, Button, Card, DatePicker, Form, Input, Modal, Radio, Space, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { todayIn } from '../documents/money.ts';
import { ImportStatementsButton, StatementButton } from './Editors.tsx';
import { ScorecardButton } from './ScorecardForm.tsx';
import type { Assessment, ReviewQueue, Scorecard } from './types.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function CreditReviewsPage() {
  const { t } = useTranslation('credit');
  const session = useSignedIn();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const today = todayIn(session.company.timeZone);
  // Without a chosen date the server's today applies (the company's clock, not this browser's).
  const asOf = DATE.test(params.get('asOf') ?? '') ? params.get('asOf')! : undefined;
  const currency = session.company.currency;
  const queue = useQuery({ queryKey: ['credit', 'reviews', asOf ?? 'today'], queryFn: () => api.get<ReviewQueue>('/credit/reviews', { ...(asOf ? { asOf } : {}), limit: 200 }) });
  const shownDate = queue.data?.asOf ?? asOf ?? today;
  const scorecard = useQuery({ queryKey: ['credit', 'scorecard'], queryFn: () => api.get<Scorecard>('/credit/scorecard') });
  const [reviewing, setReviewing] = useState<string | null>(null);
  const [form] = Form.useForm<{ decision: 'approve' | 'change' | 'hold'; proposedGrade?: string; proposedLimit?: string; note?: string }>();
  const complete = useMutation({
    mutationFn: (v: { decision: string; proposedGrade?: string; proposedLimit?: string; note?: string }) => api.post<{ assessment: Assessment; limitRequest: { approvalId: string; status: string } | null }>(
      `/customers/${encodeURIComponent(reviewing!)}/credit/reviews`,
      { ...(asOf ? { asOf } : {}), decision: v.decision, proposedGrade: v.proposedGrade || null, proposedLimit: v.proposedLimit || null, note: v.note ?? '' }, newIdempotencyKey()),
    onSuccess: (r) => {
      void message.success(t('review.done', { grade: r.assessment.grade, date: r.assessment.reviewDue }));
      if (r.limitRequest) void message.info(t('review.limitRequested'));
      setReviewing(null);
      form.resetFields();
      void client.invalidateQueries({ queryKey: ['credit'] });
    },
  });

  return (
    <div className="credit-reviews-page">
      <PageTitle title={t('reviews.title')} extra={(
        <Space align="start">
          {can('credit.manage') ? <ImportStatementsButton /> : null}
          <DatePicker aria-label={t('asOf')} value={dayjs(shownDate)} format="YYYY-MM-DD" allowClear={false} onChange={(d) => d && setParams({ asOf: d.format('YYYY-MM-DD') })} />
        </Space>
      )} />
      <Typography.Paragraph type="secondary">{t('reviews.subtitle', { date: shownDate })}</Typography.Paragraph>
      {queue.error ? <ErrorAlert error={queue.error} ns="credit" onRetry={() => void queue.refetch()} /> : null}
      <Card size="small">
        <Table
          size="small" rowKey="customer" loading={queue.isLoading} dataSource={queue.data?.rows ?? []} pagination={{ pageSize: 50 }}
          locale={{ emptyText: t('reviews.empty') }}
          columns={[
            { title: t('reviews.customer'), dataIndex: 'customer', key: 'customer', render: (c: string) => <Link to={`/customers/${encodeURIComponent(c)}/credit`}>{c}</Link> },
            { title: t('reviews.name'), dataIndex: 'name', key: 'name' },
            { title: t('reviews.grade'), dataIndex: 'grade', key: 'grade', render: (g: string | null) => (g ? <Tag color="blue">{g}</Tag> : '—') },
            { title: t('reviews.score'), dataIndex: 'score', key: 'score', align: 'right', render: (s: number | null) => s ?? '—' },
            { title: t('reviews.due'), dataIndex: 'reviewDue', key: 'due', render: (d: string | null) => d ?? '—' },
            { title: t('reviews.open'), dataIndex: 'open', key: 'open', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
            { title: t('reviews.reason'), dataIndex: 'reviewDue', key: 'reason', render: (d: string | null) => (d ? t('reviews.due_reason') : t('reviews.never')) },
            ...(can('credit.manage') ? [{ title: '', key: 'act', render: (_: unknown, r: { customer: string }) => <Button size="small" onClick={() => setReviewing(r.customer)}>{t('review.button')}</Button> }] : []),
          ]}
        />
      </Card>

      <Card size="small" title={t('scorecard.title')} style={{ marginTop: 16 }}
        extra={can('credit.manage') && scorecard.data ? <ScorecardButton scorecard={scorecard.data} /> : null}>
        <Table
          size="small" rowKey="key" pagination={false} dataSource={scorecard.data?.factors ?? []}
          columns={[
            { title: t('scorecard.factor'), key: 'key', render: (_, f) => <span title={f.key}>{t(`input.${f.input}`, { defaultValue: f.key })}</span> },
            { title: t('scorecard.group'), dataIndex: 'group', key: 'group', render: (g: string) => t(`factorGroup.${g}`, { defaultValue: g }) },
            { title: t('scorecard.weight'), dataIndex: 'weight', key: 'weight', align: 'right' },
            { title: t('scorecard.bins'), key: 'bins', render: (_, f) => f.bins.map((b) => `${b.equals ?? `≥ ${b.min}`} → ${b.points}`).join(' · ') },
          ]}
        />
        <Typography.Title level={5} style={{ marginTop: 12 }}>{t('scorecard.grades')}</Typography.Title>
        <Table
          size="small" rowKey="grade" pagination={false} dataSource={scorecard.data?.grades ?? []}
          columns={[
            { title: t('scorecard.grade'), dataIndex: 'grade', key: 'grade' },
            { title: t('scorecard.minScore'), dataIndex: 'minScore', key: 'min', align: 'right' },
            { title: t('scorecard.limit'), key: 'limit', render: (_, g) => (g.limit.kind === 'fixed' ? t('scorecard.fixed', { amount: g.limit.amount }) : t(`scorecard.${g.limit.kind}`, { percent: g.limit.percent })) },
            { title: t('scorecard.terms'), dataIndex: 'termsCode', key: 'terms', render: (v: string, g) => <Space>{v}{g.prepayment ? <Tag>{t('assess.prepayment')}</Tag> : null}{g.guarantee ? <Tag>{t('assess.guarantee')}</Tag> : null}</Space> },
            { title: t('scorecard.review'), dataIndex: 'reviewMonths', key: 'review', align: 'right' },
          ]}
        />
      </Card>

      <Modal open={reviewing !== null} title={t('review.title', { code: reviewing ?? '' })} okText={t('review.submit')} confirmLoading={complete.isPending}
        onCancel={() => setReviewing(null)} onOk={() => void form.validateFields().then((v) => complete.mutate(v))} destroyOnHidden>
        {complete.error ? <ErrorAlert error={complete.error} ns="credit" /> : null}
        {reviewing ? (
          // New financials first: the review's assessment reads every statement on file, these included.
          <Space style={{ marginBottom: 12 }} wrap>
            <span className="ant-form-item-extra">{t('review.financials')}</span>
            <StatementButton code={reviewing} />
            <Link to={`/customers/${encodeURIComponent(reviewing)}/credit`}>{t('review.openFile')}</Link>
          </Space>
        ) : null}
        <Form form={form} layout="vertical" initialValues={{ decision: 'approve' }}>
          <Form.Item name="decision" label={t('review.decision')}>
            <Radio.Group optionType="button" options={[{ value: 'approve', label: t('review.approve') }, { value: 'change', label: t('review.change') }, { value: 'hold', label: t('review.hold') }]} />
          </Form.Item>
          <Form.Item name="proposedGrade" label={t('review.grade')}><Input maxLength={8} /></Form.Item>
          <Form.Item name="proposedLimit" label={t('review.limit')}><Input placeholder="100000.00" /></Form.Item>
          <Form.Item name="note" label={t('review.note')}><Input.TextArea maxLength={2000} rows={3} /></Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
