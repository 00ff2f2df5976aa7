/**
 * Collector targets: per collector and month the amount to collect and the CEI to reach, against the actuals from the
 * ledger; and what works: for each activity channel and outcome, the share followed by a payment within 7 and 30 days.
 */
import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Input, Modal, Progress, Space, Table, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatDate } from '../../shared/format.ts';
import type { EffectivenessReport, EffectivenessRow, TargetReport, TargetRow } from './types.ts';

const TARGETS_KEY = 'collector-targets';
const MONTH = /^\d{4}-\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function TargetsPage() {
  const { t, i18n } = useTranslation(['plans', 'collections']);
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const month = MONTH.test(params.get('month') ?? '') ? params.get('month')! : '';
  const from = DATE.test(params.get('from') ?? '') ? params.get('from')! : '';
  const to = DATE.test(params.get('to') ?? '') ? params.get('to')! : '';
  const setParam = (name: string, value: string) => setParams((current) => { const n = new URLSearchParams(current); if (value) n.set(name, value); else n.delete(name); return n; });
  const report = useQuery({ queryKey: [TARGETS_KEY, month], queryFn: () => api.get<TargetReport>('/collectors/targets', month ? { month } : {}) });
  const effect = useQuery({ queryKey: [TARGETS_KEY, 'eff', from, to], queryFn: () => api.get<EffectivenessReport>('/collectors/effectiveness', { ...(from ? { from } : {}), ...(to ? { to } : {}) }) });
  const [setting, setSetting] = useState<TargetRow | null | 'new'>(null);
  const [form] = Form.useForm();
  const [key, setKey] = useState(newIdempotencyKey());
  const save = useMutation({
    mutationFn: (v: { collector: string; collected: string; cei?: string }) => api.put('/collectors/targets', { collector: v.collector.trim(), month: report.data!.month, collected: v.collected.trim(), ...(v.cei?.trim() ? { cei: v.cei.trim() } : {}) }, key),
    onSuccess: () => { void message.success(t('targets.saved')); void client.invalidateQueries({ queryKey: [TARGETS_KEY] }); setSetting(null); setKey(newIdempotencyKey()); },
  });
  const r = report.data;
  const currency = r?.currency ?? '';
  const effColumns = [
    { title: t('targets.eff.channel'), dataIndex: 'channel', render: (c: string) => (c === 'all' ? t('targets.eff.all') : t(`collections:channel.${c}`)) },
    { title: t('targets.eff.outcome'), dataIndex: 'outcome', render: (o: string) => (o === 'all' ? '' : t(`collections:outcome.${o}`)) },
    { title: t('targets.eff.activities'), dataIndex: 'activities', align: 'right' as const },
    { title: t('targets.eff.within7'), key: 'w7', align: 'right' as const, render: (_: unknown, x: EffectivenessRow) => (x.share7 === null ? '—' : `${x.share7}% (${x.paid7}/${x.measured7})`) },
    { title: t('targets.eff.within30'), key: 'w30', align: 'right' as const, render: (_: unknown, x: EffectivenessRow) => (x.share30 === null ? '—' : `${x.share30}% (${x.paid30}/${x.measured30})`) },
  ];
  return (
    <>
      <PageTitle title={t('targets.title')} extra={(
        <Space>
          <Input type="month" aria-label={t('targets.month')} value={month || r?.month || ''} onChange={(e) => setParam('month', e.target.value)} style={{ width: 170 }} />
          {can('targets.manage') ? <Button type="primary" onClick={() => { form.resetFields(); setSetting('new'); }}>{t('targets.set')}</Button> : null}
        </Space>
      )} />
      <Typography.Paragraph type="secondary">{t('targets.subtitle', { currency })}{r ? ` · ${t('targets.period', { from: formatDate(r.from, i18n.language), asOf: formatDate(r.asOf, i18n.language) })}` : ''}</Typography.Paragraph>
      <Card>
        {report.error ? <ErrorAlert error={report.error} onRetry={() => void report.refetch()} ns="plans" /> : null}
        <Table<TargetRow> rowKey="collector" size="middle" loading={report.isFetching} pagination={false} dataSource={r?.rows ?? []} aria-label={t('targets.title')} columns={[
          { title: t('targets.columns.collector'), dataIndex: 'collector', render: (c: string, x) => (
            <Space orientation="vertical" size={0}>
              {can('targets.manage') ? <Button type="link" style={{ padding: 0 }} onClick={() => { form.setFieldsValue({ collector: c, collected: x.targetCollected ?? '', cei: x.targetCei ?? '' }); setSetting(x); }}>{c}</Button> : c}
              <Typography.Text type="secondary">{x.name}</Typography.Text>
            </Space>
          ) },
          { title: t('targets.columns.customers'), dataIndex: 'customers', align: 'right' },
          { title: t('targets.columns.target'), dataIndex: 'targetCollected', align: 'right', render: (v: string | null) => <Amount value={v} currency={currency} /> },
          { title: t('targets.columns.collected'), dataIndex: 'collected', align: 'right', render: (v: string) => <Amount value={v} currency={currency} strong /> },
          { title: t('targets.columns.achieved'), dataIndex: 'achievedPercent', width: 180, render: (v: string | null) => (v === null ? '—' : <Progress percent={Math.min(100, Number(v))} format={() => `${v}%`} size="small" />) },
          { title: t('targets.columns.ceiTarget'), dataIndex: 'targetCei', align: 'right', render: (v: string | null) => (v === null ? '—' : `${v}%`) },
          { title: t('targets.columns.cei'), dataIndex: 'cei', align: 'right', render: (v: string | null, x) => (v === null ? <Typography.Text type="secondary">{x.ceiReason ?? '—'}</Typography.Text>
            : <Typography.Text type={x.targetCei !== null && Number(v) < Number(x.targetCei) ? 'danger' : undefined}>{`${v}%`}</Typography.Text>) },
        ]} />
      </Card>
      <Card title={t('targets.effectiveness')} style={{ marginTop: 16 }} extra={(
        <Space>
          <Input type="date" aria-label={t('targets.from')} value={from || effect.data?.from || ''} onChange={(e) => setParam('from', e.target.value)} />
          <Input type="date" aria-label={t('targets.to')} value={to || effect.data?.to || ''} onChange={(e) => setParam('to', e.target.value)} />
        </Space>
      )}>
        <Typography.Paragraph type="secondary">{t('targets.effHint')}</Typography.Paragraph>
        {effect.error ? <ErrorAlert error={effect.error} ns="plans" /> : null}
        <Table<EffectivenessRow> rowKey={(x) => `${x.channel}|${x.outcome}`} size="small" loading={effect.isFetching} pagination={false}
          dataSource={effect.data ? [...effect.data.rows, effect.data.totals] : []} columns={effColumns} aria-label={t('targets.effectiveness')} />
      </Card>
      <Modal open={setting !== null} title={`${t('targets.set')} · ${r?.month ?? ''}`} onCancel={() => setSetting(null)} confirmLoading={save.isPending} destroyOnHidden
        onOk={() => void form.validateFields().then((v) => save.mutate(v))}>
        <Form form={form} layout="vertical">
          <Form.Item name="collector" label={t('targets.form.collector')} rules={[{ required: true, message: t('errors.required') }]}><Input maxLength={100} disabled={setting !== 'new'} /></Form.Item>
          <Form.Item name="collected" label={t('targets.form.collected')} rules={[{ required: true, pattern: /^\d{1,17}(\.\d{1,4})?$/, message: t('errors.amount') }]}><Input maxLength={20} /></Form.Item>
          <Form.Item name="cei" label={t('targets.form.cei')} rules={[{ pattern: /^\d{1,3}(\.\d{1,2})?$/, message: t('errors.amount') }]}><Input maxLength={6} /></Form.Item>
        </Form>
        {save.error ? <Alert type="error" showIcon title={(save.error as Error).message} /> : null}
      </Modal>
    </>
  );
}
