/** The balance check of a statement as a tag: balances, does not balance (with the difference), nothing to check. */
import { Tag } from 'antd';
import { CheckCircleOutlined, ExclamationCircleOutlined, MinusCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { BalanceCheck } from './types.ts';

export function BalanceCheckTag({ check, difference }: { check: BalanceCheck; difference: string }) {
  const { t } = useTranslation('bank');
  if (check === 'ok') return <Tag color="green" icon={<CheckCircleOutlined />}>{t('check.ok')}</Tag>;
  if (check === 'mismatch') return <Tag color="red" icon={<ExclamationCircleOutlined />}>{t('check.mismatch')} · {t('check.difference', { amount: difference })}</Tag>;
  return <Tag icon={<MinusCircleOutlined />}>{t('check.not_given')}</Tag>;
}
