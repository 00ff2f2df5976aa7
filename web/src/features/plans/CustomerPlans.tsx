/** On the customer's Collections card: the customer's active payment plans and open agency or legal cases, as links. */
import { Space, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../../api/client.ts';
import { formatAmount } from '../../shared/format.ts';
import type { CasePage, PlanPage } from './types.ts';

export function CustomerPlans({ code }: { code: string }) {
  const { t, i18n } = useTranslation('plans');
  const plans = useQuery({ queryKey: ['payment-plans', 'customer', code], queryFn: () => api.get<PlanPage>('/payment-plans', { customer: code, status: 'active', limit: 20 }) });
  const cases = useQuery({ queryKey: ['escalations', 'customer', code], queryFn: () => api.get<CasePage>('/escalations/cases', { customer: code, status: 'active', limit: 20 }) });
  const p = plans.data?.rows ?? [];
  const c = cases.data?.rows ?? [];
  if (p.length === 0 && c.length === 0) return null;
  return (
    <div style={{ marginBottom: 16 }}><Space wrap size={[8, 8]} data-testid="customer-plans">
      {p.map((x) => (
        <Link key={x.id} to={`/payment-plans?plan=${x.id}`}>
          <Tag color={x.missed > 0 ? 'error' : 'processing'}>
            {t('card.plan', { number: x.number, amount: formatAmount(x.outstanding, x.currency, i18n.language) })}{x.missed > 0 ? ` · ${t('installmentStatus.missed')} ${x.missed}` : ''}
          </Tag>
        </Link>
      ))}
      {c.map((x) => (
        <Link key={x.id} to="/escalations">
          <Tag color={x.kind === 'legal' ? 'volcano' : 'purple'}>{`${t(`cases.kind.${x.kind}`)} ${x.number} · ${t(`cases.status.${x.status}`)} · ${formatAmount(x.openNow, x.currency, i18n.language)}`}</Tag>
        </Link>
      ))}
      {plans.error || cases.error ? <Typography.Text type="danger">{((plans.error ?? cases.error) as Error).message}</Typography.Text> : null}
    </Space></div>
  );
}
