/**
 * The cash-matching review workbench (核销工作台) of one statement: each incoming line with its best proposals, the
 * reasons as tags with their points, and what to do: accept a proposal, reject it, apply the line to other items of a
 * customer (the rest stays on account as unapplied cash), or undo an automatic application (reversed in the ledger).
 */
import { useEffect, useMemo, useState } from 'react';
import { App as AntApp, Alert, Button, Card, Checkbox, Input, Modal, Segmented, Select, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { CheckOutlined, CloseOutlined, RollbackOutlined, SearchOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, newIdempotencyKey, type Page } from '../../api/client.ts';
import type { OpenItem } from '../../api/types.ts';
import { useSession } from '../../auth/session.tsx';
import { Amount, ErrorAlert } from '../../shared/components.tsx';
import { formatAmount, formatDate } from '../../shared/format.ts';
import { BANK_KEY } from './BankImportPage.tsx';
import type { LineStatus, MatchLineRow, MatchLinesPage, MatchProposal, MatchReason, MatchRunResult } from './types.ts';

const STATUS_COLOUR: Record<LineStatus, string> = {
  auto_applied: 'green', applied: 'cyan', suggested: 'gold', unmatched: 'red', rejected: 'volcano', not_matched: 'default', not_a_credit: 'default',
};
const FILTERS = ['all', 'suggested', 'unmatched', 'auto_applied', 'applied'] as const;
const AMOUNT = /^\d{1,17}(\.\d{1,4})?$/;
const RATE = /^\d{1,12}(\.\d{1,10})?$/;
const toUnits = (text: string): bigint => {
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const units = BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4));
  return text.startsWith('-') ? -units : units;
};
const fromUnits = (units: bigint): string => `${units / 10_000n}.${(units % 10_000n).toString().padStart(4, '0')}`;
const DISPUTE_REASONS = ['price', 'quantity', 'quality', 'not_received', 'duplicate_billing', 'tax_invoice_error', 'other'] as const;

export function ReasonTag({ reason }: { reason: MatchReason }) {
  const { t } = useTranslation('bank');
  return (
    <Tooltip title={reason.words}>
      <Tag color={reason.points >= 40 ? 'green' : reason.points >= 20 ? 'blue' : 'default'} data-testid="reason">
        {t(`matching.reasons.${reason.code}`, { defaultValue: reason.code })}{reason.detail && !reason.code.startsWith('NAME_') ? ` ${reason.detail}` : ''} +{reason.points}
      </Tag>
    </Tooltip>
  );
}

function ProposalView({ p, currency }: { p: MatchProposal; currency: string }) {
  const { t, i18n } = useTranslation('bank');
  const money = (v: string) => formatAmount(v, currency, i18n.language);
  return (
    <Space direction="vertical" size={2}>
      <Space wrap size={4}>
        <Tag color={p.score >= 80 ? 'green' : p.score >= 40 ? 'gold' : 'default'} data-testid="score">{t('matching.score', { score: p.score })}</Tag>
        <Typography.Text strong>{p.customer.code}</Typography.Text><Typography.Text>{p.customer.name}</Typography.Text>
        <Tag>{t(`matching.kind.${p.kind}`)}</Tag>
      </Space>
      <Typography.Text type="secondary">
        {p.allocations.map((a) => (a.currency && a.settles
          ? `${a.document} ${money(a.amount)} = ${formatAmount(a.settles, a.currency, i18n.language)}`
          : `${a.document} ${money(a.amount)}`)).join(' · ')}
        {p.fxRate ? ` · ${t('matching.fxRate', { rate: p.fxRate, currency, other: p.allocations[0]?.currency ?? '' })}` : ''}
        {p.writeOff ? ` · ${t(`matching.writeOff.${p.writeOff.reason ?? 'short_payment'}`)} ${money(p.writeOff.amount)}` : ''}
        {p.deduction ? ` · ${t('matching.deduction', { amount: money(p.deduction.amount) })}` : ''}
        {p.unapplied !== '0.00' && p.unapplied !== '0' ? ` · ${t('matching.unapplied')} ${money(p.unapplied)}` : ''}
      </Typography.Text>
      <Space wrap size={[0, 4]}>{p.reasons.map((r) => <ReasonTag key={r.code} reason={r} />)}</Space>
    </Space>
  );
}

export function MatchingWorkbench({ statementId }: { statementId: string }) {
  const { t, i18n } = useTranslation('bank');
  const { message } = AntApp.useApp();
  const { can } = useSession();
  const client = useQueryClient();
  const mayDecide = can('bank.match');
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>('all');
  const [choosing, setChoosing] = useState<MatchLineRow | null>(null);
  const [undoing, setUndoing] = useState<MatchLineRow | null>(null);
  const lines = useQuery({
    queryKey: [BANK_KEY, 'lines', statementId, filter],
    queryFn: () => api.get<MatchLinesPage>(`/bank/statements/${encodeURIComponent(statementId)}/lines`, { limit: 200, ...(filter === 'all' ? {} : { status: filter }) }),
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: [BANK_KEY, 'lines', statementId] });
    void client.invalidateQueries({ queryKey: ['aging'] });
  };
  const run = useMutation({
    mutationFn: () => api.post<MatchRunResult>(`/bank/statements/${encodeURIComponent(statementId)}/match`, {}),
    onSuccess: (r) => { void message.success(t('matching.ran', r.counts)); refresh(); },
  });
  const accept = useMutation({
    mutationFn: (v: { line: MatchLineRow; proposal: MatchProposal }) => api.post(`/bank/lines/${v.line.id}/accept`, { proposalId: v.proposal.id }, newIdempotencyKey()),
    onSuccess: () => { void message.success(t('matching.accepted')); refresh(); },
  });
  const reject = useMutation({
    mutationFn: (v: { line: MatchLineRow; proposal?: MatchProposal }) => api.post(`/bank/lines/${v.line.id}/reject`, v.proposal ? { proposalId: v.proposal.id } : {}, newIdempotencyKey()),
    onSuccess: () => { void message.success(t('matching.rejected')); refresh(); },
  });
  const error = lines.error ?? run.error ?? accept.error ?? reject.error;
  const page = lines.data;
  // Keyboard: j/k (or ↓/↑) move between lines, a accepts the best proposal, r rejects it, o chooses other items, u undoes.
  const [active, setActive] = useState(0);
  useEffect(() => {
    const rows = page?.lines ?? [];
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (!rows.length || choosing || undoing || e.ctrlKey || e.metaKey || e.altKey) return;
      if (target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable)) return;
      const line = rows[Math.min(active, rows.length - 1)]!;
      const best = line.proposals.find((p) => p.status === 'proposed');
      if (e.key === 'j' || e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, rows.length - 1));
      else if (e.key === 'k' || e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
      else if (!mayDecide) return;
      else if (e.key === 'a' && best && !line.application) accept.mutate({ line, proposal: best });
      else if (e.key === 'r' && best && !line.application) reject.mutate({ line, proposal: best });
      else if (e.key === 'o' && line.matchable && !line.application) setChoosing(line);
      else if (e.key === 'u' && line.application) setUndoing(line);
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [page, active, choosing, undoing, mayDecide, accept, reject]);
  const money = (v: string, c: string) => formatAmount(v, c, i18n.language);

  const columns: TableColumnsType<MatchLineRow> = [
    { title: '#', dataIndex: 'seq', width: 40 },
    { title: t('columns.bookingDate'), dataIndex: 'bookingDate', width: 100, render: (d: string | null) => formatDate(d, i18n.language) },
    { title: t('columns.amount'), dataIndex: 'amount', width: 120, align: 'right', render: (a: string, l) => <Amount value={a} currency={l.currency} /> },
    {
      title: t('matching.payer'), key: 'payer', width: 210,
      render: (_: unknown, l) => (
        <Space direction="vertical" size={0}>
          <span>{l.counterpartyName ?? '—'}</span>
          {l.counterpartyAccount ? <Typography.Text type="secondary">{l.counterpartyAccount}</Typography.Text> : null}
          <Typography.Text type="secondary" ellipsis style={{ maxWidth: 220 }}>{l.remittanceText ?? l.creditorReference ?? ''}</Typography.Text>
        </Space>
      ),
    },
    {
      title: t('matching.status'), key: 'status', width: 160,
      render: (_: unknown, l) => <Tooltip title={l.note ?? undefined}><Tag color={STATUS_COLOUR[l.status]} data-testid="line-status">{t(`matching.statuses.${l.status}`)}</Tag></Tooltip>,
    },
    {
      title: t('matching.proposal'), key: 'proposal',
      render: (_: unknown, l) => {
        if (l.application) {
          const a = l.application;
          return (
            <Space direction="vertical" size={2}>
              <Space wrap size={4}><Typography.Text strong>{a.customer.code}</Typography.Text><span>{a.customer.name}</span>
                <Tag color={a.mode === 'auto' ? 'green' : 'cyan'}>{t(a.mode === 'auto' ? 'matching.appliedAuto' : 'matching.appliedManual')}</Tag></Space>
              <Typography.Text type="secondary">
                {t('matching.appliedDocs', { payment: a.payment, applied: money(a.applied, l.currency) })}
                {a.writeOff ? ` · ${a.writeOff} ${money(a.writeOffAmount, l.currency)}` : ''}
                {a.unapplied !== '0.00' && a.unapplied !== '0' ? ` · ${t('matching.unapplied')} ${money(a.unapplied, l.currency)}` : ''}
              </Typography.Text>
              {a.deduction ? (
                <Link to={`/disputes?customer=${encodeURIComponent(a.customer.code)}`} data-testid="deduction-dispute">
                  <Tag color="orange">{t('matching.deductionApplied', { amount: money(a.deduction, l.currency) })}</Tag>
                </Link>
              ) : null}
              {l.proposals[0] ? <Space wrap size={[0, 4]}>{l.proposals[0].reasons.map((r) => <ReasonTag key={r.code} reason={r} />)}</Space> : null}
            </Space>
          );
        }
        const best = l.proposals.find((p) => p.status === 'proposed');
        if (!best) return l.matchable ? <Typography.Text type="secondary">{l.note ?? t('matching.noProposal')}</Typography.Text> : <Typography.Text type="secondary">{t('matching.notCredit')}</Typography.Text>;
        const others = l.proposals.filter((p) => p.status === 'proposed').length - 1;
        return <Space direction="vertical" size={0}><ProposalView p={best} currency={l.currency} />{others > 0 ? <Typography.Text type="secondary">{t('matching.others', { count: others })}</Typography.Text> : null}</Space>;
      },
    },
    ...(mayDecide ? [{
      title: t('matching.actions'), key: 'actions', width: 120, fixed: 'right' as const,
      render: (_: unknown, l: MatchLineRow) => {
        if (l.application) return <Button size="small" icon={<RollbackOutlined />} onClick={() => setUndoing(l)}>{t('matching.undo')}</Button>;
        if (!l.matchable) return null;
        const best = l.proposals.find((p) => p.status === 'proposed');
        return (
          <Space direction="vertical" size={4}>
            {best ? <Button size="small" type="primary" icon={<CheckOutlined />} loading={accept.isPending} onClick={() => accept.mutate({ line: l, proposal: best })}>{t('matching.accept')}</Button> : null}
            {best ? <Button size="small" danger icon={<CloseOutlined />} onClick={() => reject.mutate({ line: l, proposal: best })}>{t('matching.reject')}</Button> : null}
            <Button size="small" icon={<SearchOutlined />} onClick={() => setChoosing(l)}>{t('matching.choose')}</Button>
          </Space>
        );
      },
    }] : []),
  ];

  return (
    <Card
      title={t('matching.title')}
      extra={mayDecide ? <Button type="primary" icon={<ThunderboltOutlined />} loading={run.isPending} onClick={() => run.mutate()}>{t('matching.run')}</Button> : null}>
      {error ? <ErrorAlert error={error} ns="bank" /> : null}
      {page ? (
        <Space wrap style={{ marginBottom: 12 }} data-testid="match-counts">
          <Tag color="green">{t('matching.statuses.auto_applied')} {page.counts.autoApplied}</Tag>
          <Tag color="cyan">{t('matching.statuses.applied')} {page.counts.applied}</Tag>
          <Tag color="gold">{t('matching.statuses.suggested')} {page.counts.suggested}</Tag>
          <Tag color="red">{t('matching.statuses.unmatched')} {page.counts.unmatched}</Tag>
          {page.counts.notMatched > 0 ? <Tag>{t('matching.statuses.not_matched')} {page.counts.notMatched}</Tag> : null}
        </Space>
      ) : null}
      {page && page.counts.notMatched > 0 && mayDecide ? <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('matching.notRunYet')} /> : null}
      {mayDecide ? <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{t('matching.keys')}</Typography.Paragraph> : null}
      <Segmented style={{ marginBottom: 12 }} value={filter} onChange={(v) => setFilter(v as (typeof FILTERS)[number])}
        options={FILTERS.map((f) => ({ value: f, label: f === 'all' ? t('matching.all') : t(`matching.statuses.${f}`) }))} />
      <Table<MatchLineRow> rowKey="id" size="small" loading={lines.isFetching} columns={columns} dataSource={page?.lines ?? []} scroll={{ x: 1100 }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }} aria-label={t('matching.title')}
        rowClassName={(l, i) => `${l.matchable ? '' : 'row-muted'}${i === active ? ' ant-table-row-selected' : ''}`}
        onRow={(_, i) => ({ onClick: () => setActive(i ?? 0) })}
        expandable={{
          rowExpandable: (l) => l.proposals.filter((p) => p.status === 'proposed').length > 1,
          expandedRowRender: (l) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {l.proposals.filter((p) => p.status === 'proposed').map((p) => (
                <Space key={p.id} align="start" style={{ justifyContent: 'space-between', width: '100%' }}>
                  <ProposalView p={p} currency={l.currency} />
                  {mayDecide ? <Space><Button size="small" onClick={() => accept.mutate({ line: l, proposal: p })}>{t('matching.accept')}</Button>
                    <Button size="small" danger onClick={() => reject.mutate({ line: l, proposal: p })}>{t('matching.reject')}</Button></Space> : null}
                </Space>
              ))}
            </Space>
          ),
        }} />
      <ChooseItemsModal line={choosing} onClose={() => setChoosing(null)} onDone={refresh} />
      <UndoModal line={undoing} onClose={() => setUndoing(null)} onDone={refresh} />
    </Card>
  );
}

/** Apply a line to items the user picks: a customer's open invoices, with the amount for each; the rest stays unapplied. */
function ChooseItemsModal({ line, onClose, onDone }: { line: MatchLineRow | null; onClose: () => void; onDone: () => void }) {
  const { t, i18n } = useTranslation('bank');
  const { message } = AntApp.useApp();
  const [customer, setCustomer] = useState('');
  // Per picked item: the amount of the line applied to it (the line's currency), its open amount, and for an item in
  // another currency its currency and the settlement rate (empty: the rate on file at the line's date).
  const [picked, setPicked] = useState<Record<string, { number: string; amount: string; open: string; currency: string; rate: string }>>({});
  const [key, setKey] = useState(newIdempotencyKey());
  const [disputeRest, setDisputeRest] = useState(false);
  const [disputeReason, setDisputeReason] = useState<(typeof DISPUTE_REASONS)[number]>('other');
  useEffect(() => {
    if (line) {
      setCustomer(line.proposals[0]?.customer.code ?? '');
      setPicked({});
      setKey(newIdempotencyKey());
      setDisputeRest(false);
      setDisputeReason('other');
    }
  }, [line]);
  const items = useQuery({
    queryKey: ['bank-open-items', customer],
    queryFn: () => api.get<Page<OpenItem>>(`/customers/${encodeURIComponent(customer)}/open-items`, { side: 'debit', limit: 200 }),
    enabled: !!line && customer.length > 0,
  });
  const currency = line?.currency ?? '';
  const bad = Object.values(picked).some((p) => !AMOUNT.test(p.amount.trim()) || (p.rate.trim() !== '' && !RATE.test(p.rate.trim())));
  // One picked invoice paid short: what is left on it may be the payer's deduction, raised as a dispute with the payment.
  const short = useMemo(() => {
    const rows = Object.values(picked);
    if (bad || rows.length !== 1 || rows[0]!.currency !== currency) return null;
    const rest = toUnits(rows[0]!.open) - toUnits(rows[0]!.amount.trim());
    return rest > 0n ? { document: rows[0]!.number, amount: fromUnits(rest) } : null;
  }, [picked, bad]);
  const apply = useMutation({
    mutationFn: () => api.post(`/bank/lines/${line!.id}/accept`, {
      customer, allocations: Object.values(picked).map((p) => ({ document: p.number, amount: p.amount.trim(), ...(p.currency !== currency && p.rate.trim() ? { rate: p.rate.trim() } : {}) })),
      ...(short && disputeRest ? { deduction: { document: short.document, amount: short.amount, reason: disputeReason } } : {}),
    }, key),
    onSuccess: () => { void message.success(t('matching.accepted')); onDone(); onClose(); },
  });
  // Exact decimal arithmetic in ten-thousandths (never floating point for money).
  const left = useMemo(() => (line && !bad ? toUnits(line.amount) - Object.values(picked).reduce((s, p) => s + toUnits(p.amount.trim()), 0n) : 0n), [line, picked, bad]);
  return (
    <Modal open={!!line} title={line ? t('matching.chooseTitle', { amount: formatAmount(line.amount, currency, i18n.language), payer: line.counterpartyName ?? '' }) : ''}
      width={860} onCancel={onClose} okText={t('matching.applyChosen')} okButtonProps={{ disabled: !customer || Object.keys(picked).length === 0 || bad }}
      confirmLoading={apply.isPending} onOk={() => apply.mutate()} destroyOnHidden>
      <Input.Search aria-label={t('matching.customer')} placeholder={t('matching.customer')} enterButton={t('matching.load')} maxLength={64} defaultValue={customer}
        key={`${line?.id ?? ''}:${customer}`} style={{ marginBottom: 12 }} onSearch={(v) => { setCustomer(v.trim()); setPicked({}); }} />
      {items.error ? <ErrorAlert error={items.error} ns="bank" /> : null}
      {apply.error ? <ErrorAlert error={apply.error} ns="bank" /> : null}
      {customer ? (
        <Table<OpenItem> rowKey="itemId" size="small" loading={items.isFetching} pagination={false} scroll={{ y: 300 }} aria-label={t('matching.openItems')}
          // The line's currency first; items in other currencies are settled at a rate (docs/cash-matching.md).
          dataSource={[...(items.data?.items ?? [])].sort((a, b) => Number(a.currency !== currency) - Number(b.currency !== currency))} locale={{ emptyText: t('matching.noItems') }}
          columns={[
            {
              key: 'pick', width: 48,
              render: (_: unknown, i) => <Checkbox aria-label={i.number} checked={!!picked[i.itemId]}
                onChange={(e) => setPicked((p) => { const next = { ...p }; if (e.target.checked) next[i.itemId] = { number: i.number, amount: i.currency === currency ? i.open : '', open: i.open, currency: i.currency, rate: '' }; else delete next[i.itemId]; return next; })} />,
            },
            { title: t('matching.document'), key: 'doc', render: (_: unknown, i) => `${i.number}${i.installment > 1 ? ` #${i.installment}` : ''}` },
            { title: t('matching.due'), dataIndex: 'dueDate', width: 120, render: (d: string | null) => formatDate(d, i18n.language) },
            { title: t('matching.open'), dataIndex: 'open', width: 150, align: 'right', render: (v: string, i) => <Amount value={v} currency={i.currency} /> },
            {
              title: t('matching.apply'), key: 'amount', width: 170,
              render: (_: unknown, i) => <Input aria-label={`${t('matching.apply')} ${i.number}`} disabled={!picked[i.itemId]} value={picked[i.itemId]?.amount ?? ''} style={{ textAlign: 'right' }}
                suffix={currency} onChange={(e) => setPicked((p) => ({ ...p, [i.itemId]: { ...p[i.itemId]!, amount: e.target.value } }))} />,
            },
            {
              title: t('matching.rate'), key: 'rate', width: 150,
              render: (_: unknown, i) => (i.currency === currency ? null : (
                <Input aria-label={`${t('matching.rate')} ${i.number}`} disabled={!picked[i.itemId]} value={picked[i.itemId]?.rate ?? ''} placeholder={t('matching.rateOnFile')}
                  title={t('matching.rateHint', { from: currency, to: i.currency })} onChange={(e) => setPicked((p) => ({ ...p, [i.itemId]: { ...p[i.itemId]!, rate: e.target.value } }))} />
              )),
            },
          ]} />
      ) : null}
      {line && Object.keys(picked).length > 0 && !bad ? (
        <Typography.Paragraph style={{ marginTop: 12 }} data-testid="choose-summary">
          {left < 0n
            ? <Typography.Text type="danger">{t('matching.tooMuch')}</Typography.Text>
            : t('matching.leftOnAccount', { amount: formatAmount(fromUnits(left), currency, i18n.language) })}
        </Typography.Paragraph>
      ) : null}
      {short ? (
        <Space wrap data-testid="deduction-choice">
          <Checkbox checked={disputeRest} onChange={(e) => setDisputeRest(e.target.checked)}>
            {t('matching.deductionAsk', { amount: formatAmount(short.amount, currency, i18n.language), document: short.document })}
          </Checkbox>
          {disputeRest ? (
            <Select aria-label={t('matching.deductionReason')} style={{ minWidth: 160 }} value={disputeReason} onChange={setDisputeReason}
              options={DISPUTE_REASONS.map((r) => ({ value: r, label: t(`matching.disputeReasons.${r}`) }))} />
          ) : null}
        </Space>
      ) : null}
    </Modal>
  );
}

function UndoModal({ line, onClose, onDone }: { line: MatchLineRow | null; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation('bank');
  const { message } = AntApp.useApp();
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(newIdempotencyKey());
  useEffect(() => { if (line) { setReason(''); setKey(newIdempotencyKey()); } }, [line]);
  const undo = useMutation({
    mutationFn: () => api.post(`/bank/lines/${line!.id}/undo`, { reason: reason.trim() }, key),
    onSuccess: () => { void message.success(t('matching.undone')); onDone(); onClose(); },
  });
  return (
    <Modal open={!!line} title={t('matching.undoTitle', { payment: line?.application?.payment ?? '' })} onCancel={onClose} okText={t('matching.undo')} okButtonProps={{ danger: true, disabled: reason.trim().length < 3 }}
      confirmLoading={undo.isPending} onOk={() => undo.mutate()} destroyOnHidden>
      <Typography.Paragraph type="secondary">{t('matching.undoHelp')}</Typography.Paragraph>
      {undo.error ? <ErrorAlert error={undo.error} ns="bank" /> : null}
      <Input.TextArea aria-label={t('matching.undoReason')} placeholder={t('matching.undoReason')} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
    </Modal>
  );
}
