/**
 * A customer's credit file (信用档案): the current grade, the file (ratings, insurance, qualitative factors,
 * documents), statements with ratios and Altman Z-scores and their zones, payment behaviour at the as-of date, and
 * assessments with the score explanation chart and the recommended limit's caps. A credit manager runs an
 * assessment here and may request the recommended limit through the customer (which asks for approval).
 */
import { useCallback, useState } from 'react';
import { App as AntApp, Breadcrumb, Button, Card, Col, DatePicker, Descriptions, Empty, Row, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { todayIn } from '../documents/money.ts';
import { CreditFileButton } from './CreditFileForm.tsx';
import { StatementButton } from './Editors.tsx';
import { ScoreChart } from './ScoreChart.tsx';
import type { Assessment, CreditFileView, Factor, Measure, ZScore } from './types.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ZONE_COLOUR = { distress: 'red', grey: 'gold', safe: 'green' } as const;

function MeasureText({ m, suffix = '' }: { m: Measure; suffix?: string }) {
  return m.value === null ? <span className="muted" title={m.reason}>— <Typography.Text type="secondary" style={{ fontSize: 12 }}>({m.reason})</Typography.Text></span> : <span>{m.value}{suffix}</span>;
}

export function CreditFilePage() {
  const { code = '' } = useParams();
  const { t } = useTranslation('credit');
  // A factor in words: its input in the page's language (a tenant's own factor key where the input has no name).
  const factorName = useCallback((f: Factor) => t(`input.${f.input}`, { defaultValue: f.key }), [t]);
  const session = useSignedIn();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const today = todayIn(session.company.timeZone);
  // Without a chosen date the server's today applies (the company's clock, not this browser's).
  const asOf = DATE.test(params.get('asOf') ?? '') ? params.get('asOf')! : undefined;
  const [latest, setLatest] = useState<Assessment | null>(null);

  const file = useQuery({ queryKey: ['credit', code, asOf ?? 'today'], queryFn: () => api.get<CreditFileView>(`/customers/${encodeURIComponent(code)}/credit`, asOf ? { asOf } : {}) });
  const assess = useMutation({
    mutationFn: (takeEffect: boolean) => api.post<Assessment>(`/customers/${encodeURIComponent(code)}/assessments`, { ...(asOf ? { asOf } : {}), takeEffect }, newIdempotencyKey()),
    onSuccess: (a) => {
      setLatest(a);
      void message.success(t('assess.saved'));
      void client.invalidateQueries({ queryKey: ['credit', code] });
    },
  });
  const requestLimit = useMutation({
    mutationFn: (limit: string) => api.patch(`/customers/${encodeURIComponent(code)}`, { creditLimit: limit }),
    onSuccess: () => void message.info(t('assess.requested')),
  });

  if (file.error) return <ErrorAlert error={file.error} ns="credit" onRetry={() => void file.refetch()} />;
  if (!file.data) return <Skeleton active paragraph={{ rows: 10 }} />;
  const f = file.data;
  const currency = f.customer.currency;
  const shown = latest ?? f.assessments[0] ?? null;
  const zText = (z: ZScore | undefined) => (!z ? '—' : z.value === null ? <span title={z.reason}>—</span> : <Space size={4}>{z.value}<Tag color={ZONE_COLOUR[z.zone!]}>{t(`zone.${z.zone!}`)}</Tag></Space>);

  return (
    <div className="credit-page">
      <Breadcrumb style={{ marginBottom: 8 }} items={[{ title: <Link to="/customers">{t('customers:list.title')}</Link> }, { title: <Link to={`/customers/${encodeURIComponent(code)}`}>{code}</Link> }, { title: t('open') }]} />
      <PageTitle
        title={t('title', { code: f.customer.code, name: f.customer.name })}
        extra={(
          <Space>
            <DatePicker aria-label={t('asOf')} value={dayjs(f.asOf)} format="YYYY-MM-DD" allowClear={false} disabledDate={(d) => d.isAfter(dayjs(today), 'day')}
              onChange={(d) => d && setParams({ asOf: d.format('YYYY-MM-DD') })} />
            {can('credit.manage') ? (
              <>
                <StatementButton code={code} />
                <CreditFileButton code={code} file={f.file} currency={f.customer.currency} isParent={f.customer.parent === null} />
                <Button loading={assess.isPending} onClick={() => assess.mutate(false)}>{t('assess.button')}</Button>
                <Button type="primary" loading={assess.isPending} onClick={() => assess.mutate(true)}>{t('assess.takeEffect')}</Button>
              </>
            ) : null}
          </Space>
        )}
      />
      {assess.error ? <ErrorAlert error={assess.error} ns="credit" /> : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card title={t('profile.title')} size="small" extra={<Typography.Text type="secondary">{t('profile.version', { version: f.version })}</Typography.Text>}>
            {f.profile?.grade ? (
              <Descriptions column={2} size="small">
                <Descriptions.Item label={t('profile.grade')}><Tag color="blue" data-testid="credit-grade">{f.profile.grade}</Tag></Descriptions.Item>
                <Descriptions.Item label={t('profile.score')}>{f.profile.score}</Descriptions.Item>
                <Descriptions.Item label={t('profile.assessedOn')}>{f.profile.assessedOn}</Descriptions.Item>
                <Descriptions.Item label={t('profile.reviewDue')}>{f.profile.reviewDue}</Descriptions.Item>
                <Descriptions.Item label={t('profile.limit')}><Amount value={f.customer.creditLimit} currency={currency} /></Descriptions.Item>
              </Descriptions>
            ) : <Typography.Text type="secondary">{t('profile.none')}</Typography.Text>}
          </Card>
          <Card title={t('file.title')} size="small" style={{ marginTop: 16 }}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('file.zModel')}>{t(`zModel.${f.file.zModel}`)}</Descriptions.Item>
              <Descriptions.Item label={t('file.ratings')}>{f.file.externalRatings.map((r) => `${r.agency} ${r.grade} (${r.date})`).join('; ') || t('file.none')}</Descriptions.Item>
              <Descriptions.Item label={t('file.insurance')}>{f.file.insurance ? `${f.file.insurance.insurer}: ${f.file.insurance.insuredLimit} ${f.file.insurance.currency}, ${f.file.insurance.validFrom} – ${f.file.insurance.validTo}` : t('file.none')}</Descriptions.Item>
              <Descriptions.Item label={t('file.qualitative')}>
                {[f.file.qualitative.yearsInBusiness !== null ? t('file.years', { years: f.file.qualitative.yearsInBusiness }) : null,
                  f.file.qualitative.reputation ? `${t('file.reputation')}: ${t(`value.${f.file.qualitative.reputation}`)}` : null,
                  f.file.qualitative.industryRisk ? `${t('file.industryRisk')}: ${t(`value.${f.file.qualitative.industryRisk}`)}` : null,
                  f.file.qualitative.ownership].filter(Boolean).join(' · ') || t('file.none')}
              </Descriptions.Item>
              <Descriptions.Item label={t('file.documents')}>{f.file.documents.map((d) => `${d.name} (${d.kind}, ${d.date})`).join('; ') || t('file.none')}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={t('behaviour.title', { date: f.behaviour.asOf })} size="small">
            <Descriptions column={2} size="small">
              <Descriptions.Item label={t('behaviour.paid')}><Amount value={f.behaviour.paid} currency={currency} /> ({f.behaviour.payments})</Descriptions.Item>
              <Descriptions.Item label={t('behaviour.days')}><span data-testid="days-beyond-terms"><MeasureText m={f.behaviour.averageDaysBeyondTerms} /></span></Descriptions.Item>
              <Descriptions.Item label={t('behaviour.recent')}><MeasureText m={f.behaviour.recentDaysBeyondTerms} /></Descriptions.Item>
              <Descriptions.Item label={t('behaviour.earlier')}><MeasureText m={f.behaviour.earlierDaysBeyondTerms} /></Descriptions.Item>
              <Descriptions.Item label={t('behaviour.trend')}><MeasureText m={f.behaviour.trendDays} /></Descriptions.Item>
              <Descriptions.Item label={t('behaviour.late')}><MeasureText m={f.behaviour.lateShare} /></Descriptions.Item>
              <Descriptions.Item label={t('behaviour.longest')}>{f.behaviour.longestDelayDays === null ? '—' : t('behaviour.daysUnit', { days: f.behaviour.longestDelayDays })}</Descriptions.Item>
              <Descriptions.Item label={t('behaviour.reversed')}>{f.behaviour.reversedPayments}</Descriptions.Item>
              <Descriptions.Item label={t('behaviour.promises')}>{f.behaviour.brokenPromises}</Descriptions.Item>
              <Descriptions.Item label={t('behaviour.disputes')}>{f.behaviour.disputes}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={t('statements.title')} size="small">
            <Table
              size="small" rowKey="id" pagination={false} scroll={{ x: 900 }} dataSource={f.statements}
              locale={{ emptyText: <Empty description={t('statements.empty')} /> }}
              columns={[
                { title: t('statements.period'), dataIndex: 'periodEnd', key: 'period' },
                { title: t('statements.current'), key: 'current', align: 'right', render: (_, s) => <MeasureText m={s.ratios.current} /> },
                { title: t('statements.quick'), key: 'quick', align: 'right', render: (_, s) => <MeasureText m={s.ratios.quick} /> },
                { title: t('statements.cash'), key: 'cash', align: 'right', render: (_, s) => <MeasureText m={s.ratios.cash} /> },
                { title: t('statements.debt'), key: 'debt', align: 'right', render: (_, s) => <MeasureText m={s.ratios.debt} /> },
                { title: t('statements.coverage'), key: 'coverage', align: 'right', render: (_, s) => <MeasureText m={s.ratios.interestCoverage} /> },
                { title: t('statements.workingCapital'), key: 'wc', align: 'right', render: (_, s) => <Amount value={s.ratios.workingCapital} currency={s.currency} /> },
                { title: t('statements.z'), key: 'z', render: (_, s) => zText(s.zScores[0]) },
                { title: t('statements.zPrime'), key: 'zp', render: (_, s) => zText(s.zScores[1]) },
                { title: t('statements.zDouble'), key: 'zpp', render: (_, s) => zText(s.zScores[2]) },
              ]}
            />
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>{t('statements.rounding')}</Typography.Paragraph>
          </Card>
        </Col>
        {shown ? (
          <Col xs={24}>
            <Card title={t('assess.title', { date: shown.asOf })} size="small" extra={<Typography.Text strong data-testid="assessment-score">{t('assess.score', { score: shown.score, grade: shown.grade })}</Typography.Text>}>
              <Row gutter={16}>
                <Col xs={24} lg={12}>
                  <Typography.Title level={5}>{t('assess.factors')}</Typography.Title>
                  <ScoreChart factors={shown.factors} label={t('assess.factors')} name={factorName} />
                </Col>
                <Col xs={24} lg={12}>
                  <Typography.Title level={5}>{t('assess.limit')}: <Amount value={shown.recommendedLimit} currency={currency} strong /></Typography.Title>
                  <Table
                    size="small" rowKey="kind" pagination={false} dataSource={shown.caps} title={() => t('assess.caps')}
                    columns={[
                      { title: '', dataIndex: 'kind', key: 'kind', render: (k: string) => t(`cap.${k}`) },
                      { title: '', dataIndex: 'amount', key: 'amount', align: 'right', render: (v: string | null) => <Amount value={v} currency={currency} /> },
                      { title: '', dataIndex: 'explanation', key: 'why', render: (v: string) => <Typography.Text type="secondary">{v}</Typography.Text> },
                    ]}
                  />
                  <Typography.Paragraph style={{ marginTop: 8 }}>
                    {t('assess.policy', { terms: shown.policy.termsCode, months: shown.policy.reviewMonths })}
                    {shown.policy.prepayment ? ` · ${t('assess.prepayment')}` : ''}{shown.policy.guarantee ? ` · ${t('assess.guarantee')}` : ''}
                  </Typography.Paragraph>
                  {can('customers.credit') && shown.recommendedLimit !== null ? (
                    <Button loading={requestLimit.isPending} onClick={() => requestLimit.mutate(shown.recommendedLimit!)}>{t('assess.requestLimit')}</Button>
                  ) : null}
                  {requestLimit.error ? <ErrorAlert error={requestLimit.error} ns="credit" /> : null}
                </Col>
              </Row>
              <Table
                size="small" rowKey="key" pagination={false} dataSource={shown.factors} style={{ marginTop: 12 }}
                columns={[
                  { title: t('assess.factor'), key: 'key', render: (_: unknown, f: Factor) => <span title={f.key}>{factorName(f)}</span> },
                  { title: t('assess.value'), dataIndex: 'value', key: 'value', render: (v: string | null, r) => v ?? <span title={r.note}>—</span> },
                  { title: t('assess.points'), dataIndex: 'points', key: 'points', align: 'right' },
                  { title: t('assess.weight'), dataIndex: 'weight', key: 'weight', align: 'right', render: (w: number) => `${w}%` },
                  { title: t('assess.contribution'), dataIndex: 'contribution', key: 'contribution', align: 'right' },
                ]}
              />
            </Card>
          </Col>
        ) : null}
        <Col xs={24}>
          <Card title={t('history.title')} size="small">
            <Table
              size="small" rowKey="id" pagination={false} dataSource={f.assessments} locale={{ emptyText: <Empty description={t('history.empty')} /> }}
              columns={[
                { title: t('history.asOf'), dataIndex: 'asOf', key: 'asOf' },
                { title: t('history.score'), dataIndex: 'score', key: 'score', align: 'right' },
                { title: t('history.grade'), dataIndex: 'grade', key: 'grade' },
                { title: t('history.limit'), dataIndex: 'recommendedLimit', key: 'limit', align: 'right', render: (v: string | null) => <Amount value={v} currency={currency} /> },
                { title: t('history.effect'), dataIndex: 'tookEffect', key: 'effect', render: (v: boolean) => (v ? t('history.yes') : t('history.no')) },
                { title: t('history.by'), dataIndex: 'createdBy', key: 'by' },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
