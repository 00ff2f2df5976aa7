/**
 * One document: what it is and what is still open, its installments, what has been applied to or from it, and its
 * history from the audit trail; with the corrections the role may make (reverse, undo an allocation, verify an
 * advance, apply a credit). A correction the company wants approved answers 202: the page says it awaits approval.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { Alert, App, Button, Card, Descriptions, Flex, Modal, Space, Table, Tag, Typography } from 'antd';
import { CheckCircleOutlined, DollarOutlined, RollbackOutlined, SwapOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, newIdempotencyKey, type Page } from '../../api/client.ts';
import { useSession, useSignedIn } from '../../auth/session.tsx';
import { Amount, ErrorAlert, PageTitle } from '../../shared/components.tsx';
import { formatAmount, formatDate, formatInstant, formatNumber, isNegative } from '../../shared/format.ts';
import { checkApplication, serverLineErrors } from './apply.ts';
import { ApplyTable, useOpenLines } from './ApplyTable.tsx';
import { StatusTag } from './DocumentsPage.tsx';
import { apiMinor, formatMinor, todayIn } from './money.ts';
import { RecoveryDialog } from './RecoveryDialog.tsx';
import { ReasonDialog } from './ReasonDialog.tsx';
import {
  CREDIT_KINDS, documentPath, isApprovalRequested, type Allocation, type AuditEntry, type DocumentDetail, type DocumentItem, type LedgerDocument,
} from './types.ts';

type Notice = { kind: 'approval' } | { kind: 'done'; text: string };

export function DocumentPage() {
  const { ref = '' } = useParams();
  const { t, i18n } = useTranslation('documents');
  const lang = i18n.language;
  const session = useSignedIn();
  const { can } = useSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const { modal } = App.useApp();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [reversing, setReversing] = useState(false);
  const [undoing, setUndoing] = useState<Allocation | null>(null);
  const [applying, setApplying] = useState(false);
  const [recovering, setRecovering] = useState(false);

  const query = useQuery({
    queryKey: ['documents', 'one', ref],
    queryFn: () => api.get<DocumentDetail>(`/documents/${encodeURIComponent(ref)}`),
  });
  const doc = query.data;
  const refresh = () => client.invalidateQueries();

  const done = (result: unknown, text: string) => {
    if (isApprovalRequested(result)) {
      setNotice({ kind: 'approval' });
    } else {
      setNotice({ kind: 'done', text });
    }
    void refresh();
  };

  const verify = useMutation({
    mutationFn: () => api.post<LedgerDocument>(`/documents/${encodeURIComponent(doc!.id)}/verify`, {}),
    onSuccess: (result) => done(result, t('actions.verified')),
  });

  if (query.error) {
    return (
      <>
        <PageTitle title={t('list.title')} />
        <ErrorAlert error={query.error} ns="documents" onRetry={query.error instanceof ApiError && query.error.status === 404 ? undefined : () => void query.refetch()} />
      </>
    );
  }
  if (!doc) return <Card loading aria-busy="true" />;

  const kindName = t(`common:kinds.${doc.kind}`);
  const reversed = doc.status === 'reversed';
  const isCredit = (CREDIT_KINDS as readonly string[]).includes(doc.kind);
  const awaitingVerification = doc.kind === 'advance' && !doc.verifiedOn && !reversed;
  const canApply = can('documents.post') && isCredit && doc.kind !== 'write_off' && !reversed && !awaitingVerification && apiMinor(doc.open, doc.currency) > 0n;
  const canReverse = can('documents.reverse') && doc.kind !== 'reversal' && !doc.reversedByDocumentId;
  const canPay = can('documents.post') && doc.side === 'debit' && doc.kind !== 'reversal' && !reversed && apiMinor(doc.open, doc.currency) > 0n;
  const canRecover = can('write_offs.post') && doc.kind === 'write_off' && !reversed;

  return (
    <>
      <PageTitle
        title={t('document.title', { kind: kindName, number: doc.number })}
        extra={[
          canPay ? (
            <Button key="pay" icon={<DollarOutlined />} onClick={() => navigate(`/payments/new?${new URLSearchParams({ customer: doc.customer, currency: doc.currency, document: doc.number }).toString()}`)}>
              {t('document.recordPayment')}
            </Button>
          ) : null,
          canApply ? <Button key="apply" type="primary" icon={<SwapOutlined />} onClick={() => setApplying(true)}>{t('actions.apply')}</Button> : null,
          awaitingVerification && can('documents.verify') ? (
            <Button
              key="verify"
              type="primary"
              icon={<CheckCircleOutlined />}
              loading={verify.isPending}
              onClick={() => modal.confirm({
                title: t('actions.verify'),
                content: t('actions.verifyConfirm', { number: doc.number }),
                okText: t('actions.verify'),
                cancelText: t('common:actions.cancel'),
                onOk: () => verify.mutateAsync(),
              })}
            >
              {t('actions.verify')}
            </Button>
          ) : null,
          canRecover ? <Button key="recover" icon={<DollarOutlined />} onClick={() => setRecovering(true)}>{t('recovery.button')}</Button> : null,
          canReverse ? <Button key="reverse" danger icon={<RollbackOutlined />} onClick={() => setReversing(true)}>{t('actions.reverse')}</Button> : null,
        ]}
      />
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        {notice?.kind === 'approval' ? (
          <Alert type="warning" showIcon role="status" closable={{ onClose: () => setNotice(null) }} title={t('actions.awaitsApproval')} action={<Link to="/approvals">{t('actions.toApprovals')}</Link>} />
        ) : null}
        {notice?.kind === 'done' ? <Alert type="success" showIcon role="status" closable={{ onClose: () => setNotice(null) }} title={notice.text} /> : null}
        {verify.error ? <ErrorAlert error={verify.error} ns="documents" /> : null}
        <Header doc={doc} />
        {recovering ? <RecoveryDialog writeOff={doc.number} amount={doc.amount} currency={doc.currency} today={todayIn(session.company.timeZone)} onClose={() => setRecovering(false)} /> : null}
        {(doc.side === 'debit' && doc.kind !== 'reversal') || doc.items.length > 1 ? (
          <Card title={t('document.items')} size="small">
            <ItemsTable doc={doc} />
          </Card>
        ) : null}
        <Card title={t('document.allocations')} size="small">
          <AllocationsTable doc={doc} onUndo={can('documents.reverse') ? setUndoing : undefined} />
        </Card>
        <Card title={t('document.history')} size="small">
          <History documentRef={doc.id} timeZone={session.company.timeZone} />
        </Card>
      </Space>
      {reversing ? (
        <ReasonDialog
          title={t('actions.reverseTitle', { kind: kindName, number: doc.number })}
          hint={t('actions.reverseHint')}
          confirmText={t('actions.confirmReverse')}
          submit={(reason, key) => api.post(`/documents/${encodeURIComponent(doc.id)}/reverse`, { reason }, key)}
          onCancel={() => setReversing(false)}
          onDone={(result) => {
            setReversing(false);
            done(result, t('actions.reversed'));
          }}
        />
      ) : null}
      {undoing ? (
        <ReasonDialog
          title={t('actions.undoTitle')}
          hint={t('actions.undoHint')}
          confirmText={t('actions.confirmUndo')}
          submit={(reason, key) => api.post(`/allocations/${encodeURIComponent(undoing.id)}/reverse`, { reason }, key)}
          onCancel={() => setUndoing(null)}
          onDone={(result) => {
            setUndoing(null);
            done(result, t('actions.undone'));
          }}
        />
      ) : null}
      {applying ? (
        <ApplyDialog
          doc={doc}
          onCancel={() => setApplying(false)}
          onDone={(appliedMinor) => {
            setApplying(false);
            done(null, t('actions.applied', { amount: formatAmount(formatMinor(appliedMinor, doc.currency), doc.currency, lang) }));
          }}
        />
      ) : null}
    </>
  );
}

function Header({ doc }: { doc: DocumentDetail }) {
  const { t, i18n } = useTranslation('documents');
  const lang = i18n.language;
  const session = useSignedIn();
  const functional = session.company.currency;
  const isCredit = doc.side === 'credit';
  const items: { key: string; label: string; children: ReactNode; span?: number }[] = [
    {
      key: 'customer', label: t('document.customer'), span: 2,
      children: <span><Link to={`/customers/${encodeURIComponent(doc.customer)}`}>{doc.customer}</Link> {doc.customerName}</span>,
    },
    { key: 'status', label: t('document.status'), children: <StatusTag status={doc.status} side={doc.side} /> },
    { key: 'documentDate', label: t('document.documentDate'), children: formatDate(doc.documentDate, lang) },
    { key: 'postingDate', label: t('document.postingDate'), children: formatDate(doc.postingDate, lang) },
    { key: 'dueDate', label: t('document.dueDate'), children: formatDate(doc.dueDate, lang) },
    { key: 'amount', label: t('document.amount'), children: <Amount value={doc.amount} currency={doc.currency} strong /> },
    { key: 'open', label: isCredit ? t('document.unapplied') : t('document.open'), children: <span data-testid="open-amount"><Amount value={doc.open} currency={doc.currency} strong /></span> },
    { key: 'currency', label: t('document.currency'), children: doc.currency },
  ];
  if (doc.currency !== functional) {
    items.push(
      { key: 'fxRate', label: t('document.fxRate'), children: <span className="amount">{t('document.fxRateValue', { currency: doc.currency, rate: doc.fxRate, functional })}</span> },
      { key: 'functional', label: t('document.functionalAmount', { currency: functional }), children: <Amount value={doc.functionalAmount} currency={functional} /> },
    );
  }
  if (doc.paymentTerms) items.push({ key: 'terms', label: t('document.paymentTerms'), children: doc.paymentTerms });
  if (doc.kind === 'advance') {
    items.push({
      key: 'verified', label: t('document.verified'),
      children: doc.verifiedOn ? t('document.verifiedOn', { date: formatDate(doc.verifiedOn, lang) }) : <Tag color="orange">{t('document.notVerified')}</Tag>,
    });
  }
  if (doc.related) {
    const label = doc.kind === 'refund' ? t('document.refundOf') : doc.kind === 'credit_note' || doc.kind === 'debit_note' ? t('document.againstInvoice') : t('document.related');
    items.push({ key: 'related', label, children: <Link to={documentPath(doc.related.kind, doc.related.number)}>{t(`common:kinds.${doc.related.kind}`)} {doc.related.number}</Link> });
  }
  if (doc.reversedByDocumentId) items.push({ key: 'reversedBy', label: t('document.reversedBy'), children: <DocumentLink id={doc.reversedByDocumentId} /> });
  if (doc.reversesDocumentId) items.push({ key: 'reverses', label: t('document.reverses'), children: <DocumentLink id={doc.reversesDocumentId} /> });
  items.push({ key: 'source', label: t('document.source'), children: doc.sourceSystem });
  if (doc.externalId) items.push({ key: 'externalId', label: t('document.externalId'), children: doc.externalId });
  if (doc.reason) items.push({ key: 'reason', label: t('document.reason'), children: doc.reason, span: 3 });
  if (doc.memo) items.push({ key: 'memo', label: t('document.memo'), children: doc.memo, span: 3 });
  items.push({
    key: 'created', label: t('document.created'), span: 3,
    children: t('document.createdBy', { when: formatInstant(doc.createdAt, lang, session.company.timeZone), who: doc.createdBy }),
  });
  return <Descriptions bordered size="small" column={{ xs: 1, md: 2, xl: 3 }} items={items} styles={{ label: { width: 150 } }} />;
}

/** A link to a document known by id (a reversal's counterpart), named by its kind and number once loaded. */
function DocumentLink({ id }: { id: string }) {
  const { t } = useTranslation('documents');
  const query = useQuery({ queryKey: ['documents', 'one', id], queryFn: () => api.get<DocumentDetail>(`/documents/${id}`), staleTime: 60_000 });
  const d = query.data;
  return <Link to={d ? documentPath(d.kind, d.number) : `/documents/${id}`}>{d ? `${t(`common:kinds.${d.kind}`)} ${d.number}` : id}</Link>;
}

function ItemsTable({ doc }: { doc: DocumentDetail }) {
  const { t, i18n } = useTranslation('documents');
  const lang = i18n.language;
  const hasDiscount = doc.items.some((i) => apiMinor(i.discountAmount, doc.currency) !== 0n);
  return (
    <Table<DocumentItem>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={doc.items}
      locale={{ emptyText: t('common:states.empty') }}
      columns={[
        { title: t('document.installment'), key: 'seq', width: 100, render: (_, i) => `${i.seq} / ${doc.items.length}` },
        { title: t('document.dueDate'), key: 'dueDate', width: 140, render: (_, i) => formatDate(i.dueDate, lang) },
        ...(hasDiscount ? [{
          title: t('document.discount'), key: 'discount', width: 240,
          render: (_: unknown, i: DocumentItem) => apiMinor(i.discountAmount, doc.currency) !== 0n
            ? t('document.discountValue', { amount: formatAmount(i.discountAmount, doc.currency, lang), date: formatDate(i.discountDate, lang) })
            : '—',
        }] : []),
        { title: `${t('document.amount')} (${doc.currency})`, key: 'amount', width: 160, align: 'right', render: (_, i) => <span className="amount">{formatNumber(i.amount, doc.currency, lang)}</span> },
        { title: `${doc.side === 'credit' ? t('document.unapplied') : t('document.open')} (${doc.currency})`, key: 'open', width: 160, align: 'right', render: (_, i) => <span className="amount">{formatNumber(i.open, doc.currency, lang)}</span> },
      ]}
    />
  );
}

function AllocationsTable({ doc, onUndo }: { doc: DocumentDetail; onUndo?: ((a: Allocation) => void) | undefined }) {
  const { t, i18n } = useTranslation('documents');
  const lang = i18n.language;
  const session = useSignedIn();
  const functional = session.company.currency;
  const hasFx = doc.allocations.some((a) => apiMinor(a.fxGain, functional) !== 0n);
  const hasCrossCurrency = doc.allocations.some((a) => a.creditCurrency !== a.currency);
  const undoable = (a: Allocation) => !a.reversesAllocationId && !a.reversedByAllocationId && a.from.kind !== 'reversal' && a.to.kind !== 'reversal';
  const docLink = (d: { kind: string; number: string }, suffix = '') => (
    d.number === doc.number && d.kind === doc.kind
      ? <Typography.Text type="secondary">{t('allocation.self')}{suffix}</Typography.Text>
      : <Link to={documentPath(d.kind, d.number)} style={{ whiteSpace: 'nowrap' }}>{t(`common:kinds.${d.kind}`)} {d.number}{suffix}</Link>
  );
  return (
    <Table<Allocation>
      rowKey="id"
      size="small"
      className="documents-table"
      scroll={{ x: 1000 }}
      pagination={doc.allocations.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      dataSource={doc.allocations}
      locale={{ emptyText: t('document.noAllocations') }}
      rowClassName={(a) => (a.reversedByAllocationId || a.reversesAllocationId ? 'allocation-undone' : '')}
      columns={[
        { title: t('allocation.date'), key: 'date', width: 105, render: (_, a) => formatDate(a.date, lang) },
        { title: t('allocation.from'), key: 'from', render: (_, a) => docLink(a.from) },
        {
          title: t('allocation.to'), key: 'to',
          render: (_, a) => docLink(a.to, a.to.installment > 1 ? ` ${t('allocation.installment', { seq: a.to.installment })}` : ''),
        },
        { title: t('allocation.amount'), key: 'amount', width: 150, align: 'right', render: (_, a) => <Amount value={a.amount} currency={a.currency} /> },
        ...(hasCrossCurrency ? [{
          title: t('allocation.creditAmount'), key: 'creditAmount', width: 150, align: 'right' as const,
          render: (_: unknown, a: Allocation) => <Amount value={a.creditAmount} currency={a.creditCurrency} />,
        }, {
          title: t('allocation.rate'), key: 'rate', width: 110, align: 'right' as const,
          render: (_: unknown, a: Allocation) => (a.rate === null ? '' : <span className="amount">{a.rate}</span>),
        }] : []),
        ...(hasFx ? [{
          title: `${t('allocation.fxGain')} (${functional})`, key: 'fxGain', width: 140, align: 'right' as const,
          render: (_: unknown, a: Allocation) => (
            <Typography.Text className="amount" type={isNegative(a.fxGain) ? 'danger' : undefined}>{formatNumber(a.fxGain, functional, lang)}</Typography.Text>
          ),
        }] : []),
        {
          title: t('allocation.state'), key: 'state', width: 110,
          render: (_, a) => a.reversesAllocationId
            ? <Tag>{t('allocation.undoOf')}</Tag>
            : a.reversedByAllocationId ? <Tag color="default">{t('allocation.undone')}</Tag> : <Tag color="green">{t('allocation.live')}</Tag>,
        },
        { title: t('allocation.reason'), key: 'reason', width: 160, ellipsis: true, render: (_, a) => a.reason ?? '—' },
        { title: t('allocation.by'), key: 'by', width: 150, ellipsis: true, render: (_, a) => a.createdBy },
        ...(onUndo ? [{
          title: '', key: 'undo', width: 75,
          render: (_: unknown, a: Allocation) => undoable(a) ? (
            <Button
              size="small"
              onClick={() => onUndo(a)}
              aria-label={t('allocation.undoLabel', { amount: formatAmount(a.amount, a.currency, lang), from: a.from.number, to: a.to.number })}
            >
              {t('allocation.undo')}
            </Button>
          ) : null,
        }] : []),
      ]}
    />
  );
}

function History({ documentRef, timeZone }: { documentRef: string; timeZone: string }) {
  const { t, i18n } = useTranslation('documents');
  const lang = i18n.language;
  const query = useInfiniteQuery({
    queryKey: ['documents', 'history', documentRef],
    queryFn: ({ pageParam }) => api.get<Page<AuditEntry>>(`/documents/${encodeURIComponent(documentRef)}/history`, { cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  const actionName = (action: string) => action.startsWith('import.')
    ? t('history.actions.import')
    : t(`history.actions.${action.replace('.', '_')}`, { defaultValue: action });
  if (query.error) return <ErrorAlert error={query.error} ns="documents" onRetry={() => void query.refetch()} />;
  return (
    <>
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={query.isPending}
        pagination={false}
        dataSource={entries}
        locale={{ emptyText: t('document.noHistory') }}
        expandable={{
          rowExpandable: (e) => e.before != null || e.after != null,
          expandedRowRender: (e) => (
            <Flex gap="middle" wrap>
              {e.before != null ? <JsonBlock title={t('history.before')} value={e.before} /> : null}
              {e.after != null ? <JsonBlock title={t('history.after')} value={e.after} /> : null}
            </Flex>
          ),
        }}
        columns={[
          { title: t('history.when'), key: 'when', width: 180, render: (_, e) => <span className="amount">{formatInstant(e.occurredAt, lang, timeZone)}</span> },
          { title: t('history.who'), key: 'who', width: 200, ellipsis: true, render: (_, e) => e.actor },
          { title: t('history.action'), key: 'action', width: 170, render: (_, e) => actionName(e.action) },
          { title: t('history.summary'), key: 'summary', render: (_, e) => summarize(e, t, lang, documentRef) ?? '—' },
          { title: t('history.reason'), key: 'reason', width: 260, ellipsis: true, render: (_, e) => e.reason ?? '—' },
        ]}
      />
      {query.hasNextPage ? (
        <Button style={{ marginTop: 12 }} onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>{t('document.loadMore')}</Button>
      ) : null}
    </>
  );
}

type Translate = (key: string, options?: Record<string, unknown>) => string;
interface AllocationLike { amount?: string; currency?: string; to?: { number?: string }; from?: { number?: string } }

/** What an audit entry did, in a line: the amounts and documents its record names (the JSON is one click away). */
/**
 * One line saying what an entry did. A document's history also holds entries of other documents (the payment that
 * paid this invoice) and the import that brought it in: those say which document or file they are about.
 */
function summarize(entry: AuditEntry, t: Translate, lang: string, documentId: string): string | null {
  const after = (entry.after ?? {}) as Record<string, unknown>;
  if (entry.action.startsWith('import.')) {
    const report = after as { file?: string | null; rows?: number };
    return report.file ? t('history.summaries.importedFile', { file: report.file, rows: report.rows ?? 0 }) : t('history.summaries.imported', { rows: report.rows ?? 0 });
  }
  const other = entry.entityType === 'document' && entry.entityId !== documentId ? after.document as { kind?: string; number?: string } | undefined : undefined;
  const own = summarizeOwn(entry, after, t, lang);
  if (!other?.number) return own;
  const which = t('history.summaries.other', { kind: t(`common:kinds.${other.kind ?? 'payment'}`), number: other.number });
  return own ? `${which}: ${own}` : which;
}

function summarizeOwn(entry: AuditEntry, after: Record<string, unknown>, t: Translate, lang: string): string | null {
  const applied = (allocations: unknown): string | null => {
    const list = Array.isArray(allocations) ? (allocations as AllocationLike[]).filter((a) => a.amount && a.currency) : [];
    if (!list.length) return null;
    const currency = list[0]!.currency!;
    if (list.some((a) => a.currency !== currency)) return null;
    const total = list.reduce((sum, a) => sum + apiMinor(a.amount!, currency), 0n);
    const documents = [...new Set(list.map((a) => a.to?.number).filter(Boolean))].join(', ');
    return t('history.summaries.applied', { amount: formatAmount(formatMinor(total, currency), currency, lang), documents });
  };
  switch (entry.action) {
    case 'document.post': {
      const doc = after.document as { amount?: string; currency?: string } | undefined;
      if (!doc?.amount || !doc.currency) return null;
      const posted = t('history.summaries.posted', { amount: formatAmount(doc.amount, doc.currency, lang) });
      const also = applied(after.allocations);
      return also ? `${posted}; ${also}` : posted;
    }
    case 'allocation.apply':
      return applied(after.allocations);
    case 'advance.verify':
      return typeof after.verifiedOn === 'string' ? t('document.verifiedOn', { date: formatDate(after.verifiedOn, lang) }) : null;
    case 'document.reverse': {
      const reversal = after.reversal as { number?: string } | undefined;
      return reversal?.number ? t('history.summaries.reversal', { number: reversal.number }) : null;
    }
    default:
      return null;
  }
}

function JsonBlock({ title, value }: { title: string; value: unknown }) {
  return (
    <div style={{ flex: '1 1 360px', minWidth: 0 }}>
      <Typography.Text strong>{title}</Typography.Text>
      <pre style={{ margin: '4px 0 0', maxHeight: 280, overflow: 'auto', background: '#f7f8fa', padding: 8, borderRadius: 4, fontSize: 12 }}>
        {JSON.stringify(value, null, 2)}
      </pre>
    </div>
  );
}

/** Applying a posted credit (payment, credit note, verified advance) to the customer's open items. */
function ApplyDialog({ doc, onCancel, onDone }: { doc: DocumentDetail; onCancel: () => void; onDone: (appliedMinor: bigint) => void }) {
  const { t } = useTranslation('documents');
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [rates, setRates] = useState<Record<string, string>>({});
  const [key] = useState(newIdempotencyKey);
  const open = useOpenLines(doc.customer, doc.currency);
  const availableMinor = apiMinor(doc.open, doc.currency);
  // Documents in other currencies too: paid with an amount in the credit's currency at a rate (issue 7).
  const check = checkApplication([...open.lines, ...open.foreign], amounts, availableMinor, doc.currency, rates);
  const blocked = check.entries.length === 0 || check.overApplied || Object.keys(check.lineProblems).length > 0;
  const mutation = useMutation({
    mutationFn: (entries: typeof check.entries) => api.post('/allocations', { from: { kind: doc.kind, number: doc.number }, to: entries }, key),
    onSuccess: () => onDone(check.appliedMinor),
  });
  const [sent, setSent] = useState<typeof check.entries>([]);
  return (
    <Modal
      open
      width={980}
      title={t('actions.applyTitle', { kind: t(`common:kinds.${doc.kind}`), number: doc.number })}
      okText={t('actions.applyConfirm')}
      cancelText={t('common:actions.cancel')}
      okButtonProps={{ disabled: blocked, loading: mutation.isPending }}
      onCancel={onCancel}
      onOk={() => {
        if (mutation.isPending || blocked) return;
        setSent(check.entries);
        mutation.mutate(check.entries);
      }}
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        {mutation.error ? <ErrorAlert error={mutation.error} ns="documents" /> : null}
        <ApplyTable
          customer={doc.customer}
          currency={doc.currency}
          open={open}
          amounts={amounts}
          onAmounts={setAmounts}
          availableMinor={availableMinor}
          check={check}
          serverLineErrors={serverLineErrors(mutation.error, sent, t)}
          disabled={mutation.isPending}
          rates={rates}
          onRates={setRates}
        />
      </Space>
    </Modal>
  );
}
