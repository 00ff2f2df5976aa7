/** Small pieces the customer screens share: the status tag and the segment in words. */
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CustomerStatus } from './types.ts';

const STATUS_COLOURS: Record<CustomerStatus, string> = { active: 'green', on_hold: 'orange', inactive: 'default' };

export function StatusTag({ status }: { status: CustomerStatus }) {
  const { t } = useTranslation('customers');
  return <Tag color={STATUS_COLOURS[status]}>{t(`status.${status}`)}</Tag>;
}

/** The demo's segments (key, mid, small) in words; any other segment as it was entered. */
export function SegmentText({ value }: { value: string | null }) {
  const { t } = useTranslation('customers');
  if (!value) return <>—</>;
  return <>{t(`segment.${value}`, { defaultValue: value })}</>;
}
