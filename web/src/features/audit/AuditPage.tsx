/** Placeholder until this screen is built. */
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../shared/components.tsx';

export function AuditPage() {
  const { t } = useTranslation();
  return <PageTitle title={t('nav.audit')} />;
}
