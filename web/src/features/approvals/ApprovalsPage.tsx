/** Placeholder until this screen is built. */
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../shared/components.tsx';

export function ApprovalsPage() {
  const { t } = useTranslation();
  return <PageTitle title={t('nav.approvals')} />;
}
