/**
 * The approvals inbox: requests waiting for the user's decision, their own requests (which they may withdraw), and
 * the decided history. Each row says in words what is asked; approving or rejecting refreshes every list.
 */
import { useState } from 'react';
import { App, Badge, Button, Form, Input, Modal, Space, Table, Tabs, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { CheckOutlined, CloseOutlined, InfoCircleOutlined, RollbackOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { CursorPager, ErrorAlert, PageTitle, useCursorPaging } from '../../shared/components.tsx';
import { formatAmount, formatInstant } from '../../shared/format.ts';
import { APPROVALS_KEY, useApprovalsToDecide, type Approval, type ApprovalPage } from './api.ts';

type TabKey = 'decide' | 'mine' | 'decided';
type Decision = 'approve' | 'reject' | 'cancel';

const QUERIES: Record<TabKey, Record<string, string>> = {
  decide: { status: 'pending', requester: 'others' },
  mine: { requester: 'me' },
  decided: { status: 'decided' },
};

const STATUS_COLORS: Record<Approval['status'], string> = { pending: 'gold', approved: 'green', rejected: 'red', cancelled: 'default' };

/** What is asked, in the page's language, with links to the customer and the document. */
function WhatIsAsked({ approval }: { approval: Approval }) {
  const { t, i18n } = useTranslation('approvals');
  const lang = i18n.language;
  const s = approval.subject;
  if (!s) return <Typography.Text>{approval.summary}</Typography.Text>;
  const customer = <Link to={`/customers/${encodeURIComponent(s.customer.code)}`}>{s.customer.code} {s.customer.name}</Link>;
  const pending = approval.status === 'pending';
  // The sentences are translated whole, with the links dropped into their placeholders.
  const sentence = (key: string, values: Record<string, React.ReactNode>) => {
    const marker = '\u0000';
    const names = Object.keys(values);
    const text = t(key, Object.fromEntries(names.map((n, i) => [n, `${marker}${i}${marker}`])));
    return text.split(marker).map((part, i) => (i % 2 === 1 ? <span key={i}>{values[names[Number(part)]!]}</span> : part));
  };
  const lines: React.ReactNode[] = [];
  let reason: string | null = null;
  if (s.kind === 'write_off') {
    const amount = <strong className="amount">{formatAmount(s.amount, s.currency, lang)}</strong>;
    const documents = <>{s.documents.map((d, i) => <span key={d}>{i ? ', ' : ''}<Link to={`/documents/${encodeURIComponent(d)}`}>{d}</Link></span>)}</>;
    lines.push(s.documents.length ? sentence('what.writeOffOn', { amount, documents, customer }) : sentence('what.writeOff', { amount, customer }));
    reason = s.reason;
  } else if (s.kind === 'reversal') {
    const amount = <span className="amount">{formatAmount(s.document.amount, s.document.currency, lang)}</span>;
    const number = <Link to={`/documents/${encodeURIComponent(s.document.id)}`}>{s.document.number}</Link>;
    lines.push(sentence('what.reversal', { kind: t(`common:kinds.${s.document.kind}`), number, amount, customer }));
    reason = s.reason;
  } else {
    if (s.creditLimit) {
      const to = <strong className="amount">{formatAmount(s.creditLimit.requested, s.customer.currency, lang)}</strong>;
      const from = <span className="amount">{s.creditLimit.now === null ? t('what.noLimit') : formatAmount(s.creditLimit.now, s.customer.currency, lang)}</span>;
      lines.push(pending ? sentence('what.creditLimit', { customer, from, to }) : sentence('what.creditLimitTo', { customer, to }));
    }
    if (s.terms) {
      const to = <strong>{s.terms.requested ?? t('what.noTerms')}</strong>;
      lines.push(pending ? sentence('what.terms', { customer, from: s.terms.now ?? t('what.noTerms'), to }) : sentence('what.termsTo', { customer, to }));
    }
  }
  return (
    <Space orientation="vertical" size={2}>
      {lines.map((line, i) => <span key={i}>{line}</span>)}
      {reason ? <Typography.Text type="secondary">{t('what.reason', { reason })}</Typography.Text> : null}
    </Space>
  );
}

/** A person by name, with the email (or token) the audit trail records beneath. */
function Who({ name, actor }: { name: string | null; actor: string }) {
  if (!name) return <span>{actor}</span>;
  return (
    <Space orientation="vertical" size={0}>
      <span>{name}</span>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{actor}</Typography.Text>
    </Space>
  );
}

function DecisionDialog({ approval, decision, onClose }: { approval: Approval; decision: Decision; onClose: () => void }) {
  const { t } = useTranslation('approvals');
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ reason?: string }>();
  const mutation = useMutation({
    mutationFn: (reason: string | undefined) => api.post<Approval>(`/approvals/${approval.id}/${decision}`, reason ? { reason } : {}),
    onSuccess: () => {
      void message.success(t(`actions.${decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'cancelled'}`));
      void client.invalidateQueries({ queryKey: [APPROVALS_KEY] });
      onClose();
    },
    onError: (error) => {
      // Decided by someone else meanwhile: the lists are out of date.
      if (error instanceof ApiError && error.code === 'APPROVAL_DECIDED') void client.invalidateQueries({ queryKey: [APPROVALS_KEY] });
    },
  });
  const title = t(`actions.${decision}Title`);
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      okText={t(`actions.${decision}`)}
      okButtonProps={{ danger: decision === 'reject', loading: mutation.isPending }}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <WhatIsAsked approval={approval} />
        {decision === 'approve' ? <Typography.Text type="secondary">{t('actions.approveHint')}</Typography.Text> : null}
        <Form form={form} layout="vertical" onFinish={(values) => mutation.mutate(values.reason?.trim() || undefined)}>
          {decision === 'cancel' ? null : (
            <Form.Item
              name="reason"
              label={decision === 'reject' ? t('actions.reason') : t('actions.comment')}
              rules={decision === 'reject' ? [{ required: true, whitespace: true, message: t('actions.reasonRequired') }] : []}
            >
              <Input.TextArea rows={3} maxLength={500} showCount autoFocus />
            </Form.Item>
          )}
        </Form>
        {mutation.error ? <ErrorAlert error={mutation.error} ns="approvals" /> : null}
      </Space>
    </Modal>
  );
}

function ApprovalTable({ tab }: { tab: TabKey }) {
  const { t, i18n } = useTranslation('approvals');
  const session = useSignedIn();
  const { can } = useSession();
  const paging = useCursorPaging(tab);
  const [deciding, setDeciding] = useState<{ approval: Approval; decision: Decision } | null>(null);
  const query = useQuery({
    queryKey: [APPROVALS_KEY, tab, paging.cursor ?? null],
    queryFn: () => api.get<ApprovalPage>('/approvals', { ...QUERIES[tab], cursor: paging.cursor }),
  });
  const when = (instant: string | null) => formatInstant(instant, i18n.language, session.company.timeZone);
  const me = session.user.email;

  const actions = (a: Approval) => {
    if (a.status !== 'pending') return null;
    if (a.requestedBy === me) {
      return (
        <Space orientation="vertical" size={4}>
          <Tooltip title={t('why.ownLong')}>
            <Typography.Text type="secondary" tabIndex={0}><InfoCircleOutlined /> {t('why.own')}</Typography.Text>
          </Tooltip>
          <Button size="small" icon={<RollbackOutlined />} onClick={() => setDeciding({ approval: a, decision: 'cancel' })}>{t('actions.cancel')}</Button>
        </Space>
      );
    }
    if (!can('approvals.decide')) return null;
    if (!can(a.permission)) {
      return <Typography.Text type="secondary"><InfoCircleOutlined /> {t('why.cannot', { permission: t(`permissions.${a.permission.replace('.', '_')}`) })}</Typography.Text>;
    }
    return (
      <Space wrap>
        <Button type="primary" size="small" icon={<CheckOutlined />} onClick={() => setDeciding({ approval: a, decision: 'approve' })}>{t('actions.approve')}</Button>
        <Button danger size="small" icon={<CloseOutlined />} onClick={() => setDeciding({ approval: a, decision: 'reject' })}>{t('actions.reject')}</Button>
      </Space>
    );
  };

  const columns: TableColumnsType<Approval> = [
    { key: 'requested', title: t('columns.requested'), width: 170, render: (_, a) => <span className="amount">{when(a.requestedAt)}</span> },
    // One's own requests need no "by" column.
    ...(tab === 'mine' ? [] : [{ key: 'requester', title: t('columns.requester'), width: 200, render: (_: unknown, a: Approval) => <Who name={a.requestedByName} actor={a.requestedBy} /> }]),
    { key: 'what', title: t('columns.what'), render: (_, a) => <WhatIsAsked approval={a} /> },
    { key: 'status', title: t('columns.status'), width: 100, render: (_, a) => <Tag color={STATUS_COLORS[a.status]}>{t(`status.${a.status}`)}</Tag> },
    ...(tab === 'decide' ? [] : [{
      key: 'decision', title: t('columns.decision'), width: 220,
      render: (_: unknown, a: Approval) => (a.decidedAt ? (
        <Space orientation="vertical" size={0}>
          <span>{t('decision.by', { who: a.decidedByName ?? a.decidedBy, when: when(a.decidedAt) })}</span>
          {a.decisionReason ? <Typography.Text type="secondary">{t('decision.comment', { comment: a.decisionReason })}</Typography.Text> : null}
        </Space>
      ) : '—'),
    }]),
    ...(tab === 'decided' ? [] : [{ key: 'actions', title: t('columns.actions'), width: 210, render: (_: unknown, a: Approval) => actions(a) }]),
  ];

  return (
    <>
      {query.error ? <ErrorAlert error={query.error} onRetry={() => void query.refetch()} ns="approvals" /> : null}
      <Table<Approval>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={query.data?.items ?? []}
        loading={query.isLoading}
        pagination={false}
        locale={{ emptyText: query.error ? t('common:states.error') : t(`empty.${tab}`) }}
        scroll={{ x: 900 }}
      />
      <CursorPager paging={paging} nextCursor={query.data?.nextCursor} loading={query.isFetching} />
      {deciding ? <DecisionDialog {...deciding} onClose={() => setDeciding(null)} /> : null}
    </>
  );
}

export function ApprovalsPage() {
  const { t } = useTranslation('approvals');
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const decides = can('approvals.decide');
  const toDecide = useApprovalsToDecide();
  const tabs: TabKey[] = decides ? ['decide', 'mine', 'decided'] : ['mine', 'decided'];
  const asked = params.get('tab') as TabKey | null;
  const tab = asked && tabs.includes(asked) ? asked : tabs[0]!;
  return (
    <>
      <PageTitle title={t('title')} />
      <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams({ tab: key }, { replace: false })}
        items={tabs.map((key) => ({
          key,
          label: key === 'decide' && toDecide.count > 0
            ? <Space size={6}>{t(`tabs.${key}`)}<Badge count={toDecide.more ? `${toDecide.count}+` : toDecide.count} aria-label={t('badge', { count: toDecide.count })} /></Space>
            : t(`tabs.${key}`),
          children: tab === key ? <ApprovalTable tab={key} /> : null,
        }))}
      />
    </>
  );
}
