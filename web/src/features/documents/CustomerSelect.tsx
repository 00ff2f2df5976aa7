/** Choosing a customer by code or name: a search against /customers as the user types (debounced). */
import { useEffect, useMemo, useState } from 'react';
import { Select, Spin } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Page } from '../../api/client.ts';
import type { CustomerSummary } from './types.ts';

const DEBOUNCE_MS = 300;

interface Props {
  id?: string;
  value?: string | null;
  onChange?: (code: string | undefined) => void;
  /** The chosen customer's details (currency, name), once known. */
  onCustomer?: (customer: CustomerSummary | null) => void;
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
  className?: string;
  'aria-label'?: string;
  status?: 'error' | 'warning';
}

export function CustomerSelect({ id, value, onChange, onCustomer, placeholder, allowClear, style, className, status, ...rest }: Props) {
  const { t } = useTranslation('documents');
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSearch(typed.trim()), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const found = useQuery({
    queryKey: ['customers', 'search', search],
    queryFn: () => api.get<Page<CustomerSummary>>('/customers', { q: search || undefined, limit: 20 }),
    staleTime: 60_000,
  });
  // The chosen customer may not be among the search's answers (a code from the address, say): load it by itself.
  const chosenListed = found.data?.items.some((c) => c.code === value) ?? false;
  const chosen = useQuery({
    queryKey: ['customers', 'one', value],
    queryFn: () => api.get<CustomerSummary>(`/customers/${encodeURIComponent(value!)}`),
    enabled: Boolean(value) && !chosenListed && !found.isPending,
    staleTime: 60_000,
  });

  const customers = useMemo(() => {
    const list = [...(found.data?.items ?? [])];
    if (chosen.data && !list.some((c) => c.code === chosen.data.code)) list.unshift(chosen.data);
    return list;
  }, [found.data, chosen.data]);

  const current = customers.find((c) => c.code === value) ?? null;
  useEffect(() => {
    if (value && current) onCustomer?.(current);
    if (!value) onCustomer?.(null);
    // Report once per customer, not on every search.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, current?.code]);

  return (
    <Select
      id={id}
      aria-label={rest['aria-label']}
      showSearch={{ filterOption: false, onSearch: setTyped }}
      value={value ?? undefined}
      onChange={(code) => {
        onChange?.(code ?? undefined);
        setTyped('');
      }}
      allowClear={allowClear}
      placeholder={placeholder}
      style={style}
      className={className}
      status={status}
      loading={found.isFetching}
      notFoundContent={found.isFetching ? <Spin size="small" aria-label={t('customerSelect.searching')} /> : t('customerSelect.noMatch')}
      options={customers.map((c) => ({ value: c.code, label: `${c.code} · ${c.name}` }))}
      popupMatchSelectWidth={false}
    />
  );
}
