/**
 * The alert rule settings: per rule on/off, who gets it (collector, credit manager, salesperson) and its threshold;
 * the credit manager's handle. A rule the API reports as not active yet (inactiveRules) is marked so. Saving
 * needs alerts.settings (credit manager, finance manager, administrator); others see the rules read-only.
 */
import { useEffect, useState } from 'react';
import { App as AntApp, Alert, Button, Card, Input, InputNumber, Select, Space, Switch, Table, Tag, type TableColumnsType } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { ALERTS_KEY } from './api.ts';
import { RULES, type AlertSettings, type OwnerRole, type RuleKey } from './types.ts';

const OWNERS: OwnerRole[] = ['collector', 'credit_manager', 'salesperson'];
/** Each rule's threshold fields, in the order shown. */
const FIELDS: Record<RuleKey, string[]> = {
  limit_utilisation: ['warningPercent', 'criticalPercent'], overdue_days: ['days'], overdue_amount: ['amount'], payment_trend: ['days'],
  grade_downgrade: ['grades'], review_expired: [], concentration: ['percent'], z_score_distress: ['model'], insured_overdue: ['daysBefore'],
  payment_plan_missed: ['days'], promise_broken: ['days'], dispute_overdue: ['days'],
};
const TEXT_FIELDS = new Set(['amount', 'grades']);

export function AlertSettingsPage() {
  const { t } = useTranslation('alerts');
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const editable = can('alerts.settings');
  const query = useQuery({ queryKey: [ALERTS_KEY, 'settings'], queryFn: () => api.get<AlertSettings>('/alerts/settings') });
  const [draft, setDraft] = useState<AlertSettings | null>(null);
  useEffect(() => { if (query.data) setDraft(query.data); }, [query.data]);
  const save = useMutation({
    mutationFn: (s: AlertSettings) => api.put<AlertSettings>('/alerts/settings', { rules: s.rules, creditManager: s.creditManager?.trim() ? s.creditManager.trim() : null }, newIdempotencyKey()),
    onSuccess: () => { void message.success(t('settings.saved')); void queryClient.invalidateQueries({ queryKey: [ALERTS_KEY] }); },
    onError: (e) => void message.error((e as Error).message),
  });
  const setRule = (rule: RuleKey, patch: Record<string, unknown>) => setDraft((d) => (d ? { ...d, rules: { ...d.rules, [rule]: { ...d.rules[rule], ...patch } } } : d));

  const columns: TableColumnsType<{ rule: RuleKey }> = [
    {
      title: t('columns.rule'), dataIndex: 'rule', width: 230,
      render: (rule: RuleKey) => <Space direction="vertical" size={0}>{t(`rule.${rule}`)}{draft?.inactiveRules?.includes(rule) ? <Tag>{t('settings.inactive')}</Tag> : null}</Space>,
    },
    { title: t('settings.enabled'), key: 'enabled', width: 70, render: (_: unknown, { rule }) => <Switch aria-label={`${t(`rule.${rule}`)} ${t('settings.enabled')}`} disabled={!editable} checked={Boolean(draft?.rules[rule].enabled)} onChange={(v) => setRule(rule, { enabled: v })} /> },
    {
      title: t('settings.owner'), key: 'owner', width: 170,
      render: (_: unknown, { rule }) => <Select aria-label={`${t(`rule.${rule}`)} ${t('settings.owner')}`} disabled={!editable} style={{ width: 150 }} value={draft?.rules[rule].owner}
        onChange={(v) => setRule(rule, { owner: v })} options={OWNERS.map((o) => ({ value: o, label: t(`settings.owners.${o}`) }))} />,
    },
    {
      title: t('settings.threshold'), key: 'threshold',
      render: (_: unknown, { rule }) => (
        <Space wrap>
          {FIELDS[rule].map((field) => {
            const value = draft?.rules[rule][field];
            const label = `${t(`settings.fields.${field}`)}${field === 'amount' ? ` (${draft?.currency ?? ''})` : ''}`;
            if (field === 'model') {
              return <Select key={field} aria-label={label} disabled={!editable} style={{ width: 220 }} value={value as string} onChange={(v) => setRule(rule, { model: v })}
                options={['public', 'private', 'nonManufacturing'].map((m) => ({ value: m, label: t(`zModel.${m}`) }))} title={t('zModel.hint')} />;
            }
            if (TEXT_FIELDS.has(field)) {
              return <Input key={field} aria-label={label} addonBefore={label} disabled={!editable} style={{ width: 260 }} maxLength={60} value={String(value ?? '')} onChange={(e) => setRule(rule, { [field]: e.target.value })} />;
            }
            return <InputNumber key={field} aria-label={label} addonBefore={label} disabled={!editable} min={field === 'daysBefore' ? 0 : 1} max={3650} precision={0} value={value as number}
              onChange={(v) => setRule(rule, { [field]: v ?? 0 })} />;
          })}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageTitle title={t('settings.title')} extra={editable ? <Button type="primary" loading={save.isPending} disabled={!draft} onClick={() => draft && save.mutate(draft)}>{t('settings.save')}</Button> : undefined} />
      {!editable ? <Alert type="info" showIcon message={t('settings.readOnly')} style={{ marginBottom: 12 }} /> : null}
      {query.error ? <ErrorAlert error={query.error} onRetry={() => void query.refetch()} /> : null}
      <Card size="small" title={t('settings.subtitle')}>
        <Space style={{ marginBottom: 12 }}>
          <Input aria-label={t('settings.creditManager')} addonBefore={t('settings.creditManager')} placeholder={t('settings.creditManagerHint')} disabled={!editable} maxLength={100}
            style={{ width: 420 }} value={draft?.creditManager ?? ''} onChange={(e) => setDraft((d) => (d ? { ...d, creditManager: e.target.value } : d))} />
        </Space>
        <Table rowKey="rule" size="small" pagination={false} loading={query.isLoading} columns={columns} dataSource={draft ? RULES.map((rule) => ({ rule })) : []} />
      </Card>
    </>
  );
}
