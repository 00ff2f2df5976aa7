/**
 * The bad-debt provision (坏账准备): the allowance at a period end by the aging method or the ECL matrix, per bucket
 * and per customer, how the ECL rates were derived, the movement since the last run, run history with the GL journal,
 * and (finance manager) recording a run and the rates. Period end and method live in the address. Amounts are shown
 * as the API wrote them; the one figure computed here (coverage) is a BigInt ratio.
 */
import { useState } from 'react';
import {
  App as AntApp, Alert, Button, Card, DatePicker, Drawer, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Tag, Typography,
  type TableColumnsType,
} from 'antd';
import { CalculatorOutlined, DownloadOutlined, SettingOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, apiUrl, newIdempotencyKey } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatDate, formatInstant } from '../../shared/format.ts';
import { apiMinor, todayIn } from '../documents/money.ts';
import type { Bucket, Method, Movement, ProvisionReport, Run, Settings } from './types.ts';
import './provision.css';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** allowance ÷ balance as a percentage with one decimal, exactly (BigInt), or "—" without a balance. */
export function coverage(allowance: string, balance: string, currency: string): string {
  const b = apiMinor(balance, currency);
  if (b === 0n) return '—';
  const tenths = (apiMinor(allowance, currency) * 2000n + b) / (2n * b);
  return `${tenths / 10n}.${tenths % 10n}%`;
}

export function ProvisionPage() {
  const { t, i18n } = useTranslation('provision');
  const locale = i18n.language;
  const session = useSignedIn();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const today = todayIn(session.company.timeZone);
  const day = dayjs(today);
  const lastMonthEnd = day.startOf('month').subtract(1, 'day').format('YYYY-MM-DD');
  const asOfParam = params.get('asOf') ?? '';
  const asOf = DATE.test(asOfParam) ? asOfParam : lastMonthEnd;
  const method: Method = params.get('method') === 'ecl' ? 'ecl' : 'aging';
  const setParam = (name: string, value: string, fallback: string) => setParams((current) => {
    const next = new URLSearchParams(current);
    if (value !== fallback) next.set(name, value);
    else next.delete(name);
    return next;
  });

  const report = useQuery({
    queryKey: ['provision', 'preview', asOf, method],
    queryFn: () => api.get<ProvisionReport>('/provision/preview', { asOf, method }),
    placeholderData: keepPreviousData,
  });
  const runs = useQuery({ queryKey: ['provision', 'runs'], queryFn: () => api.get<{ items: Run[] }>('/provision/runs', { limit: 50 }) });
  const data = report.data;
  const currency = data?.currency ?? session.company.currency;
  const bucketLabel = (key: string, buckets: Bucket[] = data?.buckets ?? []) => {
    const b = buckets.find((x) => x.key === key);
    if (!b || b.key === 'current') return t('aging:bucket.current');
    if (b.toDays === null) return t('aging:bucket.over', { days: (b.fromDays ?? 1) - 1 });
    return t('aging:bucket.range', { from: b.fromDays, to: b.toDays });
  };
  const liveRun = runs.data?.items.find((r) => r.periodEnd === asOf && r.supersededBy === null) ?? null;

  const [recording, setRecording] = useState(false);
  const [viewing, setViewing] = useState<Run | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);

  const presets = [
    { label: t('toolbar.endOfLastMonth'), value: dayjs(lastMonthEnd) },
    { label: t('toolbar.endOfLastQuarter'), value: day.month(Math.floor(day.month() / 3) * 3).startOf('month').subtract(1, 'day') },
    { label: t('toolbar.endOfLastYear'), value: day.startOf('year').subtract(1, 'day') },
  ];

  const bucketColumns: TableColumnsType<ProvisionReport['byBucket'][number]> = [
    { title: t('byBucket.bucket'), dataIndex: 'bucket', key: 'bucket', render: (k: string) => bucketLabel(k) },
    { title: t('byBucket.balance'), dataIndex: 'balance', key: 'balance', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
    { title: t('byBucket.rate'), dataIndex: 'rate', key: 'rate', align: 'right', render: (v: string | null) => (v === null ? '—' : `${v}%`) },
    { title: t('byBucket.allowance'), dataIndex: 'allowance', key: 'allowance', align: 'right', render: (v: string) => <Amount value={v} currency={currency} strong /> },
  ];

  type CustomerRow = ProvisionReport['customers'][number];
  const customerColumns: TableColumnsType<CustomerRow> = [
    { title: t('byCustomer.customer'), dataIndex: 'customer', key: 'customer', fixed: 'left', width: 90, render: (c: string) => <Link to={`/customers/${encodeURIComponent(c)}`}>{c}</Link> },
    { title: t('byCustomer.name'), dataIndex: 'name', key: 'name', fixed: 'left', width: 200, ellipsis: true },
    { title: t('byCustomer.segment'), dataIndex: 'segment', key: 'segment', width: 90, render: (s: string | null) => (s ? t(`customers:segment.${s}`, { defaultValue: s }) : '—') },
    ...(data?.buckets ?? []).map((b) => ({
      title: bucketLabel(b.key), key: b.key, align: 'right' as const, width: 116,
      render: (_: unknown, row: CustomerRow) => {
        const cell = row.buckets[b.key];
        return cell && cell.balance !== '0.00' ? <span title={`${cell.balance} × ${cell.rate}%`}><Amount value={cell.allowance} currency={currency} /></span> : <span className="muted">—</span>;
      },
    })),
    { title: t('byCustomer.balance'), dataIndex: 'balance', key: 'balance', align: 'right', width: 130, fixed: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
    {
      title: t('byCustomer.allowance'), dataIndex: 'allowance', key: 'allowance', align: 'right', width: 130, fixed: 'right',
      sorter: (a, b) => { const d = apiMinor(a.allowance, currency) - apiMinor(b.allowance, currency); return d > 0n ? 1 : d < 0n ? -1 : 0; },
      defaultSortOrder: 'descend', sortDirections: ['descend', 'ascend'],
      render: (v: string) => <Amount value={v} currency={currency} strong />,
    },
  ];

  return (
    <div className="provision-page">
      <PageTitle
        title={t('title')}
        extra={can('provision.run') ? (
          <Space>
            <Button icon={<SettingOutlined />} onClick={() => setSettingsOpen(true)}>{t('settings.button')}</Button>
            <Button type="primary" icon={<CalculatorOutlined />} disabled={!data || asOf > today} onClick={() => setRecording(true)}>{t('run.button')}</Button>
          </Space>
        ) : null}
      />
      <Typography.Paragraph type="secondary" className="provision-subtitle">
        {t('subtitle', { date: formatDate(asOf, locale), currency, method: t(`method.${method}`) })}
      </Typography.Paragraph>

      <Card size="small" className="provision-toolbar" role="search" aria-label={t('toolbar.label')}>
        <Form layout="inline" component="div" colon={false}>
          <Form.Item label={t('toolbar.asOf')} htmlFor="provision-as-of">
            <DatePicker
              id="provision-as-of" value={dayjs(asOf)} format="YYYY-MM-DD" allowClear={false} presets={presets}
              disabledDate={(d) => d.isAfter(day, 'day')}
              onChange={(d) => d && setParam('asOf', d.format('YYYY-MM-DD'), lastMonthEnd)} style={{ width: 136 }}
            />
          </Form.Item>
          <Form.Item label={t('toolbar.method')}>
            <Radio.Group
              aria-label={t('toolbar.method')} optionType="button" value={method}
              onChange={(e) => setParam('method', e.target.value as string, 'aging')}
              options={[{ value: 'aging', label: t('toolbar.aging') }, { value: 'ecl', label: t('toolbar.ecl') }]}
            />
          </Form.Item>
        </Form>
      </Card>

      {report.error ? <div style={{ marginBottom: 16 }}><ErrorAlert error={report.error} onRetry={() => void report.refetch()} /></div> : null}

      <section className="provision-cards" aria-label={t('summary.label')}>
        <Card size="small" role="group" aria-label={t('summary.balance')} loading={!data}>
          <div className="provision-card-label">{t('summary.balance')}</div>
          <div className="provision-card-value">{data ? <Amount value={data.totals.balance} currency={currency} strong /> : null}</div>
        </Card>
        <Card size="small" role="group" aria-label={t('summary.allowance')} loading={!data} className="provision-card-primary">
          <div className="provision-card-label">{t('summary.allowance')}</div>
          <div className="provision-card-value">{data ? <Amount value={data.totals.allowance} currency={currency} strong /> : null}</div>
        </Card>
        <Card size="small" role="group" aria-label={t('summary.coverage')} loading={!data}>
          <div className="provision-card-label">{t('summary.coverage')}</div>
          <div className="provision-card-value"><Typography.Text strong>{data ? coverage(data.totals.allowance, data.totals.balance, currency) : null}</Typography.Text></div>
        </Card>
        <Card size="small" role="group" aria-label={t('summary.charge')} loading={!data} className="provision-card-warning">
          <div className="provision-card-label">{data?.movement.charge.startsWith('-') ? t('summary.release') : t('summary.charge')}</div>
          <div className="provision-card-value">{data ? <Amount value={data.movement.charge} currency={currency} strong /> : null}</div>
          <div className="provision-card-note">{data?.movement.previousRun ? t('movement.since', { date: formatDate(data.movement.previousRun.periodEnd, locale) }) : t('summary.firstRun')}</div>
        </Card>
      </section>

      <div className="provision-grid">
        <Card size="small" title={t('byBucket.title')}>
          <Table
            rowKey="bucket" size="small" pagination={false} className="provision-buckets" columns={bucketColumns} dataSource={data?.byBucket ?? []} loading={report.isFetching}
            summary={() => (data ? (
              <Table.Summary.Row className="provision-totals">
                <Table.Summary.Cell index={0}><Typography.Text strong>{t('byBucket.total')}</Typography.Text></Table.Summary.Cell>
                <Table.Summary.Cell index={1} align="right"><Amount value={data.totals.balance} currency={currency} strong /></Table.Summary.Cell>
                <Table.Summary.Cell index={2} align="right">{coverage(data.totals.allowance, data.totals.balance, currency)}</Table.Summary.Cell>
                <Table.Summary.Cell index={3} align="right" className="total-allowance"><Amount value={data.totals.allowance} currency={currency} strong /></Table.Summary.Cell>
              </Table.Summary.Row>
            ) : null)}
          />
          <Typography.Paragraph type="secondary" className="provision-note">{t('rounding')}</Typography.Paragraph>
        </Card>
        <MovementCard movement={data?.movement} currency={currency} title={t('movement.title')} />
      </div>

      {data?.matrix ? <MatrixCard report={data} bucketLabel={bucketLabel} /> : null}

      <Card size="small" title={t('byCustomer.title')} className="provision-section">
        <Table<CustomerRow>
          rowKey="customer" size="small" bordered className="provision-customers" columns={customerColumns} dataSource={data?.customers ?? []}
          loading={report.isFetching} scroll={{ x: 90 + 200 + 90 + (data?.buckets.length ?? 7) * 116 + 260 }}
          pagination={{ defaultPageSize: 20, showSizeChanger: true, pageSizeOptions: [20, 50, 100] }}
          locale={{ emptyText: t('byCustomer.empty') }}
        />
      </Card>

      <Card size="small" title={t('runs.title')} className="provision-section">
        <Table<Run>
          rowKey="id" size="small" className="provision-runs" dataSource={runs.data?.items ?? []} loading={runs.isFetching} pagination={false} scroll={{ x: 1240 }}
          locale={{ emptyText: t('runs.empty') }}
          columns={[
            { title: t('runs.periodEnd'), dataIndex: 'periodEnd', key: 'periodEnd', render: (d: string) => formatDate(d, locale) },
            { title: t('runs.method'), dataIndex: 'method', key: 'method', render: (m: Method) => t(`method.${m}`) },
            { title: t('runs.allowance'), dataIndex: 'allowance', key: 'allowance', align: 'right', render: (v: string, r) => <Amount value={v} currency={r.currency} /> },
            { title: t('runs.charge'), dataIndex: 'charge', key: 'charge', align: 'right', render: (v: string, r) => <Amount value={v} currency={r.currency} /> },
            {
              title: t('runs.status'), key: 'status',
              render: (_: unknown, r) => (r.supersededBy ? <Tag>{t('runs.superseded')}</Tag> : <Tag color="green">{t('runs.live')}</Tag>),
            },
            { title: t('runs.reason'), dataIndex: 'reason', key: 'reason', ellipsis: true, render: (v: string | null) => v ?? '' },
            { title: t('runs.by'), dataIndex: 'createdBy', key: 'createdBy' },
            { title: t('runs.at'), dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => formatInstant(v, locale, session.company.timeZone) },
            {
              title: t('runs.journal'), key: 'journal',
              render: (_: unknown, r) => (
                <Space size={4}>
                  <Button size="small" onClick={() => setViewing(r)}>{t('runs.view')}</Button>
                  <Button size="small" icon={<DownloadOutlined />} href={apiUrl(`/provision/runs/${r.id}/journal`, { format: 'csv' })} aria-label={`${t('runs.journal')} CSV ${r.periodEnd}`}>{t('export.csv')}</Button>
                  <Button size="small" icon={<DownloadOutlined />} href={apiUrl(`/provision/runs/${r.id}/journal`, { format: 'xlsx' })} aria-label={`${t('runs.journal')} XLSX ${r.periodEnd}`}>{t('export.xlsx')}</Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>

      {recording && data ? (
        <RecordRunModal
          report={data} liveRun={liveRun} onClose={() => setRecording(false)}
          onDone={(run) => {
            setRecording(false);
            void message.success(t('run.done', { date: formatDate(run.periodEnd, locale) }));
            void queryClient.invalidateQueries({ queryKey: ['provision'] });
          }}
        />
      ) : null}
      {viewing ? <RunMovementModal run={viewing} onClose={() => setViewing(null)} /> : null}
      {settingsOpen ? (
        <SettingsDrawer
          onClose={() => setSettingsOpen(false)}
          onSaved={() => {
            setSettingsOpen(false);
            void message.success(t('settings.saved'));
            void queryClient.invalidateQueries({ queryKey: ['provision'] });
          }}
        />
      ) : null}
    </div>
  );
}

function MovementCard({ movement, currency, title }: { movement: Movement | undefined; currency: string; title: string }) {
  const { t, i18n } = useTranslation('provision');
  return (
    <Card size="small" title={title} className="provision-movement">
      {movement ? (
        <>
          <Typography.Paragraph type="secondary">
            {movement.previousRun ? t('movement.since', { date: formatDate(movement.previousRun.periodEnd, i18n.language) }) : t('movement.first')}
          </Typography.Paragraph>
          <dl className="provision-movement-list">
            {(['opening', 'charge', 'utilised', 'recovered', 'closing'] as const).map((k) => (
              <div key={k} className={`movement-${k}`} role="group" aria-label={t(`movement.${k}`)}>
                <dt>{t(`movement.${k}`)}</dt>
                <dd><Amount value={k === 'utilised' && movement.utilised !== '0.00' ? `-${movement.utilised}` : movement[k]} currency={currency} strong={k === 'closing'} /></dd>
              </div>
            ))}
          </dl>
          <Typography.Text type="secondary" className="provision-note">{t('movement.rule')}</Typography.Text>
        </>
      ) : null}
    </Card>
  );
}

function MatrixCard({ report, bucketLabel }: { report: ProvisionReport; bucketLabel: (key: string) => string }) {
  const { t, i18n } = useTranslation('provision');
  const m = report.matrix!;
  const currency = report.currency;
  type Roll = (typeof m.rollRates)[number];
  return (
    <Card size="small" title={t('matrix.title')} className="provision-section provision-matrix">
      <Typography.Paragraph type="secondary">{t('matrix.intro', { months: m.months, terminal: bucketLabel(m.terminal), factor: m.factor })}</Typography.Paragraph>
      <Typography.Title level={5}>{t('matrix.roll')}</Typography.Title>
      <Table<Roll>
        rowKey="from" size="small" pagination={false} className="provision-roll" dataSource={m.rollRates}
        expandable={{
          expandedRowRender: (r) => (
            <Table
              rowKey="monthEnd" size="small" pagination={false} dataSource={r.steps}
              columns={[
                { title: t('matrix.monthEnd'), dataIndex: 'monthEnd', key: 'monthEnd', render: (d: string) => formatDate(d, i18n.language) },
                { title: `${t('matrix.balance')} (${bucketLabel(r.from)})`, dataIndex: 'from', key: 'from', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
                { title: t('matrix.nextMonthEnd'), dataIndex: 'nextMonthEnd', key: 'next', render: (d: string) => formatDate(d, i18n.language) },
                { title: `${t('matrix.rolled')} (${bucketLabel(r.to)})`, dataIndex: 'to', key: 'to', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
                { title: t('matrix.stepRate'), dataIndex: 'rate', key: 'rate', align: 'right', render: (v: string | null) => (v === null ? '—' : `${v}%`) },
              ]}
            />
          ),
        }}
        columns={[
          { title: t('matrix.from'), dataIndex: 'from', key: 'from', render: (k: string) => bucketLabel(k) },
          { title: t('matrix.to'), dataIndex: 'to', key: 'to', render: (k: string) => bucketLabel(k) },
          { title: t('matrix.sumFrom'), dataIndex: 'sumFrom', key: 'sumFrom', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
          { title: t('matrix.sumTo'), dataIndex: 'sumTo', key: 'sumTo', align: 'right', render: (v: string) => <Amount value={v} currency={currency} /> },
          {
            title: t('matrix.rate'), dataIndex: 'rate', key: 'rate', align: 'right',
            render: (v: string, r) => <Space size={4}>{`${v}%`}{r.noHistory ? <Tag color="orange">{t('matrix.noHistory')}</Tag> : r.capped ? <Tag>{t('matrix.capped')}</Tag> : null}</Space>,
          },
          { title: t('matrix.fraction'), dataIndex: 'fraction', key: 'fraction', align: 'right', render: (v: string) => <Typography.Text type="secondary" className="fraction">{v}</Typography.Text> },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>{t('matrix.loss')}</Typography.Title>
      <Table
        rowKey="bucket" size="small" pagination={false} className="provision-loss" dataSource={m.lossRates}
        columns={[
          { title: t('matrix.bucket'), dataIndex: 'bucket', key: 'bucket', render: (k: string) => bucketLabel(k) },
          {
            title: t('matrix.chain'), dataIndex: 'chain', key: 'chain',
            render: (chain: string[]) => (chain.length === 0 ? <Tag>{t('matrix.terminal')} 100%</Tag> : chain.map((c) => {
              const [from] = c.split('→');
              const roll = m.rollRates.find((r) => r.from === from);
              return roll ? `${roll.rate}%` : c;
            }).join(' × ')),
          },
          { title: t('matrix.historical'), dataIndex: 'historical', key: 'historical', align: 'right', render: (v: string) => `${v}%` },
          { title: `${t('matrix.adjusted')} (× ${m.factor})`, dataIndex: 'rate', key: 'rate', align: 'right', render: (v: string) => <Typography.Text strong>{`${v}%`}</Typography.Text> },
        ]}
      />
    </Card>
  );
}

function RecordRunModal({ report, liveRun, onClose, onDone }: { report: ProvisionReport; liveRun: Run | null; onClose: () => void; onDone: (run: Run) => void }) {
  const { t, i18n } = useTranslation('provision');
  const [reason, setReason] = useState('');
  const [key] = useState(newIdempotencyKey);
  const record = useMutation({
    mutationFn: () => api.post<Run>('/provision/runs', {
      asOf: report.asOf, method: report.method, ...(liveRun ? { supersedes: liveRun.id, reason: reason.trim() } : {}),
    }, key),
    onSuccess: onDone,
  });
  const needsReason = liveRun !== null && reason.trim().length < 3;
  return (
    <Modal
      open title={t('run.title', { date: formatDate(report.asOf, i18n.language) })} onCancel={onClose}
      okText={t('run.confirm')} cancelText={t('run.cancel')} onOk={() => record.mutate()}
      okButtonProps={{ loading: record.isPending, disabled: needsReason }}
    >
      <Typography.Paragraph>
        {t('run.body', { amount: `${report.totals.allowance} ${report.currency}`, method: t(`method.${report.method}`) })}
      </Typography.Paragraph>
      {liveRun ? (
        <>
          <Alert type="warning" showIcon title={t('run.exists')} style={{ marginBottom: 12 }} />
          <Form layout="vertical" component="div">
            <Form.Item label={t('run.reason')} htmlFor="provision-run-reason" required help={needsReason ? t('run.reasonRequired') : undefined}>
              <Input.TextArea id="provision-run-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} rows={2} />
            </Form.Item>
          </Form>
        </>
      ) : null}
      {record.error ? <ErrorAlert error={record.error} /> : null}
    </Modal>
  );
}

function RunMovementModal({ run, onClose }: { run: Run; onClose: () => void }) {
  const { t, i18n } = useTranslation('provision');
  const detail = useQuery({ queryKey: ['provision', 'run', run.id], queryFn: () => api.get<Run & { report: ProvisionReport }>(`/provision/runs/${run.id}`) });
  const movement = detail.data?.report.movement;
  return (
    <Modal open footer={null} width={880} onCancel={onClose} title={`${t('movement.title')} · ${formatDate(run.periodEnd, i18n.language)} · ${t(`method.${run.method}`)}`}>
      {detail.error ? <ErrorAlert error={detail.error} /> : null}
      <MovementCard movement={movement} currency={run.currency} title={t('movement.title')} />
      <Table
        rowKey="customer" size="small" className="provision-run-movement" style={{ marginTop: 12 }} dataSource={movement?.customers ?? []} loading={detail.isFetching}
        pagination={{ defaultPageSize: 10 }}
        columns={[
          { title: t('movement.customer'), dataIndex: 'customer', key: 'customer' },
          { title: t('byCustomer.name'), dataIndex: 'name', key: 'name', ellipsis: true },
          ...(['opening', 'charge', 'utilised', 'recovered', 'closing'] as const).map((k) => ({
            title: t(`movement.${k}`), dataIndex: k, key: k, align: 'right' as const, render: (v: string) => <Amount value={v} currency={run.currency} />,
          })),
        ]}
      />
    </Modal>
  );
}

function SettingsDrawer({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation('provision');
  const settings = useQuery({ queryKey: ['provision', 'settings'], queryFn: () => api.get<Settings>('/provision/settings') });
  const [draft, setDraft] = useState<Settings | null>(null);
  const [key] = useState(newIdempotencyKey);
  const current = draft ?? settings.data ?? null;
  const save = useMutation({ mutationFn: (s: Settings) => api.put<Settings>('/provision/settings', s, key), onSuccess: onSaved });
  const limits = current?.buckets.split(',').map((x) => x.trim()).filter(Boolean) ?? [];
  const keys = limits.length ? ['current', ...limits.map((l, i) => `${i === 0 ? 1 : Number(limits[i - 1]) + 1}-${l}`), `over-${limits[limits.length - 1]}`] : [];
  const update = (patch: Partial<Settings>) => current && setDraft({ ...current, ...patch });
  // Segments to add a rate set for: the customers' segments that have none yet.
  const facets = useQuery({ queryKey: ['customer-filters'], queryFn: () => api.get<{ segments: string[] }>('/customer-filters') });
  const segmentChoices = (facets.data?.segments ?? []).filter((sg) => current && !(sg in current.segments));
  const badRate = (v: string | undefined) => v === undefined || !/^\d{1,3}(\.\d{1,6})?%?$/.test(v.trim()) || Number(v.replace('%', '')) > 100;
  const rateKey = (k: string) => (k === 'current' ? t('aging:bucket.current') : k.startsWith('over-') ? t('aging:bucket.over', { days: k.slice(5) }) : t('aging:bucket.range', { from: k.split('-')[0], to: k.split('-')[1] }));
  return (
    <Drawer
      open title={t('settings.title')} onClose={onClose} size="large"
      extra={<Space><Button onClick={onClose}>{t('settings.cancel')}</Button><Button type="primary" loading={save.isPending} disabled={!current || keys.some((k) => badRate(current.rates[k]) || Object.values(current.segments).some((set) => badRate(set[k])))} onClick={() => current && save.mutate({ ...current, rates: Object.fromEntries(keys.map((k) => [k, current.rates[k] ?? ''])), segments: Object.fromEntries(Object.entries(current.segments).map(([sg, set]) => [sg, Object.fromEntries(keys.map((k) => [k, set[k] ?? '']))])) })}>{t('settings.save')}</Button></Space>}
    >
      {settings.error ? <ErrorAlert error={settings.error} /> : null}
      {save.error ? <div style={{ marginBottom: 12 }}><ErrorAlert error={save.error} /></div> : null}
      {current ? (
        <Form layout="vertical" component="div" className="provision-settings">
          <Form.Item label={t('settings.buckets')} htmlFor="provision-buckets">
            <Input id="provision-buckets" value={current.buckets} onChange={(e) => update({ buckets: e.target.value })} style={{ width: 240 }} />
          </Form.Item>
          <Typography.Title level={5}>{t('settings.rates')}</Typography.Title>
          <div className="provision-rates">
            {keys.map((k) => (
              <Form.Item key={k} label={rateKey(k)} htmlFor={`provision-rate-${k}`} validateStatus={badRate(current.rates[k]) ? 'error' : undefined} help={badRate(current.rates[k]) ? t('settings.rateRange') : undefined}>
                <Input id={`provision-rate-${k}`} value={current.rates[k] ?? ''} suffix="%" onChange={(e) => update({ rates: { ...current.rates, [k]: e.target.value } })} style={{ width: 120 }} />
              </Form.Item>
            ))}
          </div>
          <Typography.Title level={5}>{t('settings.segments')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('settings.segmentsNote')}</Typography.Paragraph>
          {Object.entries(current.segments).map(([segment, set]) => (
            <Card key={segment} size="small" style={{ marginBottom: 8 }} title={<Tag>{t(`customers:segment.${segment}`, { defaultValue: segment })}</Tag>}
              extra={<Button size="small" type="text" danger onClick={() => { const { [segment]: _gone, ...rest } = current.segments; update({ segments: rest }); }}>{t('settings.removeSegment')}</Button>}>
              <div className="provision-rates">
                {keys.map((k) => (
                  <Form.Item key={k} label={rateKey(k)} htmlFor={`provision-segment-${segment}-${k}`} validateStatus={badRate(set[k]) ? 'error' : undefined} help={badRate(set[k]) ? t('settings.rateRange') : undefined}>
                    <Input id={`provision-segment-${segment}-${k}`} value={set[k] ?? ''} suffix="%" style={{ width: 120 }}
                      onChange={(e) => update({ segments: { ...current.segments, [segment]: { ...set, [k]: e.target.value } } })} />
                  </Form.Item>
                ))}
              </div>
            </Card>
          ))}
          {segmentChoices.length ? (
            <Space style={{ marginBottom: 16 }}>
              <Select aria-label={t('settings.addSegment')} placeholder={t('settings.addSegment')} style={{ width: 220 }} value={null}
                options={segmentChoices.map((sg) => ({ value: sg, label: t(`customers:segment.${sg}`, { defaultValue: sg }) }))}
                onChange={(sg: string | null) => sg && update({ segments: { ...current.segments, [sg]: { ...Object.fromEntries(keys.map((k) => [k, current.rates[k] ?? ''])) } } })} />
            </Space>
          ) : null}
          <Typography.Title level={5}>{t('settings.ecl')}</Typography.Title>
          <Space wrap>
            <Form.Item label={t('settings.months')} htmlFor="provision-months">
              <InputNumber id="provision-months" min={1} max={36} value={current.ecl.months} onChange={(v) => update({ ecl: { ...current.ecl, months: Number(v ?? 12) } })} />
            </Form.Item>
            <Form.Item label={t('settings.factor')} htmlFor="provision-factor">
              <Input id="provision-factor" value={current.ecl.factor} onChange={(e) => update({ ecl: { ...current.ecl, factor: e.target.value } })} style={{ width: 100 }} />
            </Form.Item>
            <Form.Item label={t('settings.eclBuckets')} htmlFor="provision-ecl-buckets">
              <Input id="provision-ecl-buckets" value={current.ecl.buckets} onChange={(e) => update({ ecl: { ...current.ecl, buckets: e.target.value } })} style={{ width: 220 }} />
            </Form.Item>
          </Space>
          <Typography.Title level={5}>{t('settings.accounts')}</Typography.Title>
          {(['impairmentLoss', 'allowance'] as const).map((a) => (
            <Space key={a} wrap>
              <Form.Item label={`${t(`settings.${a}`)} · ${t('settings.code')}`} htmlFor={`provision-${a}-code`}>
                <Input id={`provision-${a}-code`} value={current.accounts[a].code} onChange={(e) => update({ accounts: { ...current.accounts, [a]: { ...current.accounts[a], code: e.target.value } } })} style={{ width: 120 }} />
              </Form.Item>
              <Form.Item label={t('settings.name')} htmlFor={`provision-${a}-name`}>
                <Input id={`provision-${a}-name`} value={current.accounts[a].name} onChange={(e) => update({ accounts: { ...current.accounts, [a]: { ...current.accounts[a], name: e.target.value } } })} style={{ width: 200 }} />
              </Form.Item>
            </Space>
          ))}
        </Form>
      ) : null}
    </Drawer>
  );
}
