/**
 * A customer's open documents with an "amount to apply" per document, "apply oldest first", and the totals applied
 * and left unapplied: the part of recording a payment, and of applying a posted credit, that picks what it pays.
 */
import { useMemo } from 'react';
import { Alert, Button, Flex, Input, Space, Table, Typography } from 'antd';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, type Page } from '../../api/client.ts';
import { ErrorAlert } from '../../shared/components.tsx';
import { formatAmount, formatDate, formatNumber } from '../../shared/format.ts';
import { fillOldestFirst, groupOpenItems, type ApplicationCheck, type OpenLine } from './apply.ts';
import { formatMinor } from './money.ts';
import { documentPath, type OpenItem } from './types.ts';

const PAGE_SIZE = 200;

/** The customer's open debit documents in `currency` (`lines`) and in other currencies (`foreign`), loaded 200 items at a time. */
export function useOpenLines(customer: string | null | undefined, currency: string | null | undefined) {
  const query = useInfiniteQuery({
    queryKey: ['documents', 'open-items', customer],
    queryFn: ({ pageParam }) => api.get<Page<OpenItem>>(`/customers/${encodeURIComponent(customer!)}/open-items`, { side: 'debit', limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: Boolean(customer),
  });
  const all = useMemo(() => groupOpenItems(query.data?.pages.flatMap((p) => p.items) ?? []), [query.data]);
  const lines = useMemo(() => all.filter((l) => l.currency === currency), [all, currency]);
  const foreign = useMemo(() => all.filter((l) => l.currency !== currency), [all, currency]);
  return { query, lines, foreign, otherCurrencies: foreign.length };
}

interface Props {
  customer: string | null | undefined;
  currency: string;
  open: ReturnType<typeof useOpenLines>;
  amounts: Record<string, string>;
  onAmounts: (amounts: Record<string, string>) => void;
  /** What the credit has to apply (null: not known yet, e.g. no amount typed). */
  availableMinor: bigint | null;
  check: ApplicationCheck;
  /** The API's refusals, by document number, in the user's language. */
  serverLineErrors?: Record<string, string>;
  disabled?: boolean;
  /** Settlement rates typed for documents in other currencies, by number; given, those documents are offered too. */
  rates?: Record<string, string>;
  onRates?: (rates: Record<string, string>) => void;
}

export function ApplyTable({ customer, currency, open, amounts, onAmounts, availableMinor, check, serverLineErrors = {}, disabled, rates, onRates }: Props) {
  const { t, i18n } = useTranslation('documents');
  const lang = i18n.language;
  const money = (minor: bigint) => formatAmount(formatMinor(minor, currency), currency, lang);
  const { query, lines, otherCurrencies } = open;

  if (!customer) return <Typography.Text type="secondary">{t('apply.chooseCustomer')}</Typography.Text>;
  if (query.error) return <ErrorAlert error={query.error} ns="documents" onRetry={() => void query.refetch()} />;

  const problemText = (line: OpenLine): string | null => {
    const problem = check.lineProblems[line.number];
    if (problem) return t(`apply.problems.${problem}`, { currency, open: money(line.openMinor) });
    return serverLineErrors[line.number] ?? null;
  };
  const unappliedMinor = availableMinor === null ? null : availableMinor - check.appliedMinor;
  const amountInput = (l: OpenLine) => {
    const problem = problemText(l);
    const errorId = `apply-error-${l.number}`;
    return (
      <div>
        <Input
          value={amounts[l.number] ?? ''}
          onChange={(e) => onAmounts({ ...amounts, [l.number]: e.target.value })}
          inputMode="decimal"
          autoComplete="off"
          disabled={disabled}
          status={problem ? 'error' : undefined}
          aria-label={t('apply.toApplyLabel', { number: l.number })}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? errorId : undefined}
          style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}
        />
        {problem ? <Typography.Text id={errorId} type="danger" style={{ fontSize: 12, display: 'block', textAlign: 'left' }}>{problem}</Typography.Text> : null}
      </div>
    );
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Flex gap="small" wrap align="center">
        <Button
          onClick={() => onAmounts(fillOldestFirst(lines, availableMinor ?? 0n, currency))}
          disabled={disabled || !lines.length || availableMinor === null || availableMinor <= 0n}
        >
          {t('apply.oldestFirst')}
        </Button>
        <Button onClick={() => onAmounts({})} disabled={disabled || Object.keys(amounts).length === 0}>{t('apply.clear')}</Button>
      </Flex>
      {otherCurrencies > 0 && !onRates ? <Alert type="info" showIcon title={t('apply.otherCurrencies', { count: otherCurrencies })} /> : null}
      <Table<OpenLine>
        size="small"
        rowKey={(l) => l.number}
        loading={query.isPending}
        dataSource={lines}
        pagination={false}
        scroll={{ x: 760, y: 420 }}
        locale={{ emptyText: t('apply.none', { currency }) }}
        columns={[
          {
            title: t('apply.document'), key: 'number', width: 180,
            render: (_, l) => <Link to={documentPath(l.kind, l.number)} target="_blank" rel="noopener">{l.number}</Link>,
          },
          { title: t('apply.kind'), key: 'kind', width: 110, render: (_, l) => t(`common:kinds.${l.kind}`) },
          { title: t('apply.documentDate'), key: 'documentDate', width: 120, render: (_, l) => formatDate(l.documentDate, lang) },
          {
            title: t('apply.dueDate'), key: 'dueDate', width: 170,
            render: (_, l) => l.installments > 1
              ? <span>{t('apply.installments', { count: l.installments })} {formatDate(l.dueDate, lang)}</span>
              : formatDate(l.dueDate, lang),
          },
          {
            title: `${t('apply.open')} (${currency})`, key: 'open', width: 150, align: 'right',
            render: (_, l) => <span className="amount">{formatNumber(formatMinor(l.openMinor, currency), currency, lang)}</span>,
          },
          { title: `${t('apply.toApply')} (${currency})`, key: 'apply', width: 200, align: 'right', render: (_, l) => amountInput(l) },
        ]}
      />
      {onRates && open.foreign.length > 0 ? (
        <>
          <Typography.Text strong>{t('apply.foreignTitle', { currency })}</Typography.Text>
          <Typography.Text type="secondary">{t('apply.foreignHelp', { currency })}</Typography.Text>
          <Table<OpenLine>
            size="small"
            rowKey={(l) => `${l.currency}|${l.number}`}
            dataSource={open.foreign}
            pagination={false}
            scroll={{ x: 760, y: 300 }}
            data-testid="apply-foreign"
            columns={[
              {
                title: t('apply.document'), key: 'number', width: 180,
                render: (_, l) => <Link to={documentPath(l.kind, l.number)} target="_blank" rel="noopener">{l.number}</Link>,
              },
              { title: t('apply.dueDate'), key: 'dueDate', width: 120, render: (_, l) => formatDate(l.dueDate, lang) },
              {
                title: t('apply.open'), key: 'open', width: 160, align: 'right',
                render: (_, l) => <span className="amount">{formatAmount(formatMinor(l.openMinor, l.currency), l.currency, lang)}</span>,
              },
              {
                title: t('apply.rate', { currency }), key: 'rate', width: 170, align: 'right',
                render: (_, l) => (
                  <Input
                    value={rates?.[l.number] ?? ''}
                    onChange={(e) => onRates({ ...rates, [l.number]: e.target.value })}
                    inputMode="decimal"
                    autoComplete="off"
                    disabled={disabled}
                    placeholder={t('apply.rateOnFile')}
                    aria-label={t('apply.rateLabel', { number: l.number, currency, documentCurrency: l.currency })}
                    style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}
                  />
                ),
              },
              { title: `${t('apply.toApply')} (${currency})`, key: 'apply', width: 200, align: 'right', render: (_, l) => amountInput(l) },
            ]}
          />
        </>
      ) : null}
      {query.hasNextPage ? (
        <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>{t('apply.more')}</Button>
      ) : null}
      <Flex justify="flex-end">
        <dl className="apply-totals" aria-live="polite" style={{ display: 'grid', gridTemplateColumns: 'auto auto', columnGap: 24, rowGap: 4, margin: 0, textAlign: 'right' }}>
          <dt>{t('apply.available')}</dt>
          <dd style={{ margin: 0 }} className="amount">{availableMinor === null ? '—' : money(availableMinor)}</dd>
          <dt>{t('apply.applied')}</dt>
          <dd style={{ margin: 0 }} className="amount" data-testid="applied-total">{money(check.appliedMinor)}</dd>
          <dt>{t('apply.unapplied')}</dt>
          <dd style={{ margin: 0 }} className="amount" data-testid="unapplied-total">
            {unappliedMinor === null ? '—' : <Typography.Text strong type={unappliedMinor < 0n ? 'danger' : undefined}>{money(unappliedMinor)}</Typography.Text>}
          </dd>
        </dl>
      </Flex>
      {check.overApplied && availableMinor !== null ? (
        <Alert type="error" showIcon role="alert" title={t('apply.overApplied', { applied: money(check.appliedMinor), available: money(availableMinor) })} />
      ) : null}
    </Space>
  );
}

