/** Routes: sign-in outside, everything else inside the signed-in layout, each screen behind its permission. */
import { lazy, Suspense, type ReactNode } from 'react';
import { Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useSession } from '../auth/session.tsx';
import { ErrorAlert, NotFoundPage, RequirePermission } from '../shared/components.tsx';
import { AppLayout } from './Layout.tsx';
import { SignInPage } from '../features/signin/SignInPage.tsx';
import { ChangePasswordPage } from '../features/signin/ChangePasswordPage.tsx';

const CustomersPage = lazy(() => import('../features/customers/CustomersPage.tsx').then((m) => ({ default: m.CustomersPage })));
const CustomerPage = lazy(() => import('../features/customers/CustomerPage.tsx').then((m) => ({ default: m.CustomerPage })));
const DocumentsPage = lazy(() => import('../features/documents/DocumentsPage.tsx').then((m) => ({ default: m.DocumentsPage })));
const DocumentPage = lazy(() => import('../features/documents/DocumentPage.tsx').then((m) => ({ default: m.DocumentPage })));
const RecordPaymentPage = lazy(() => import('../features/documents/RecordPaymentPage.tsx').then((m) => ({ default: m.RecordPaymentPage })));
const ApprovalsPage = lazy(() => import('../features/approvals/ApprovalsPage.tsx').then((m) => ({ default: m.ApprovalsPage })));
const AuditPage = lazy(() => import('../features/audit/AuditPage.tsx').then((m) => ({ default: m.AuditPage })));
const AgingPage = lazy(() => import('../features/aging/AgingPage.tsx').then((m) => ({ default: m.AgingPage })));
const KpisPage = lazy(() => import('../features/kpis/KpisPage.tsx').then((m) => ({ default: m.KpisPage })));
const CreditPage = lazy(() => import('../features/credit/CreditPage.tsx').then((m) => ({ default: m.CreditPage })));
const AlertsPage = lazy(() => import('../features/alerts/AlertsPage.tsx').then((m) => ({ default: m.AlertsPage })));
const AlertSettingsPage = lazy(() => import('../features/alerts/AlertSettingsPage.tsx').then((m) => ({ default: m.AlertSettingsPage })));
const BankImportPage = lazy(() => import('../features/bank/BankImportPage.tsx').then((m) => ({ default: m.BankImportPage })));
const BankStatementsPage = lazy(() => import('../features/bank/BankStatementsPage.tsx').then((m) => ({ default: m.BankStatementsPage })));
const UnappliedPage = lazy(() => import('../features/bank/UnappliedPage.tsx').then((m) => ({ default: m.UnappliedPage })));
const CashMatchingPage = lazy(() => import('../features/bank/CashMatchingPage.tsx').then((m) => ({ default: m.CashMatchingPage })));
const BankStatementPage = lazy(() => import('../features/bank/BankStatementPage.tsx').then((m) => ({ default: m.BankStatementPage })));
const DunningPage = lazy(() => import('../features/dunning/DunningPage.tsx').then((m) => ({ default: m.DunningPage })));
const WorklistPage = lazy(() => import('../features/worklist/WorklistPage.tsx').then((m) => ({ default: m.WorklistPage })));
const PaymentPlansPage = lazy(() => import('../features/plans/PaymentPlansPage.tsx').then((m) => ({ default: m.PaymentPlansPage })));
const EscalationsPage = lazy(() => import('../features/plans/EscalationsPage.tsx').then((m) => ({ default: m.EscalationsPage })));
const TargetsPage = lazy(() => import('../features/plans/TargetsPage.tsx').then((m) => ({ default: m.TargetsPage })));
const DisputesPage = lazy(() => import('../features/collections/DisputesPage.tsx').then((m) => ({ default: m.DisputesPage })));
const ProvisionPage = lazy(() => import('../features/provision/ProvisionPage.tsx').then((m) => ({ default: m.ProvisionPage })));
const CreditFilePage = lazy(() => import('../features/credit/CreditFilePage.tsx').then((m) => ({ default: m.CreditFilePage })));
const CreditReviewsPage = lazy(() => import('../features/credit/CreditReviewsPage.tsx').then((m) => ({ default: m.CreditReviewsPage })));
const StatementsPage = lazy(() => import('../features/statements/StatementsPage.tsx').then((m) => ({ default: m.StatementsPage })));
const ConfirmationsPage = lazy(() => import('../features/statements/ConfirmationsPage.tsx').then((m) => ({ default: m.ConfirmationsPage })));
const CompanyPage = lazy(() => import('../features/admin/CompanyPage.tsx').then((m) => ({ default: m.CompanyPage })));
const UsersPage = lazy(() => import('../features/admin/UsersPage.tsx').then((m) => ({ default: m.UsersPage })));

function Loading() {
  const { t } = useTranslation();
  return <div className="loading" role="status"><Spin /> <span>{t('states.loading')}</span></div>;
}

function Guard({ permission, children }: { permission?: string; children: ReactNode }) {
  const page = <Suspense fallback={<Loading />}>{children}</Suspense>;
  return permission ? <RequirePermission permission={permission}>{page}</RequirePermission> : page;
}

function Home() {
  const { can } = useSession();
  return <Navigate to={can('customers.read') ? '/customers' : '/approvals'} replace />;
}

export function App() {
  const { session, loading, error: sessionError } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (sessionError) return <div style={{ padding: 24 }}><ErrorAlert error={sessionError} onRetry={() => window.location.reload()} /></div>;
  if (!session) {
    return (
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="*" element={<Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />} />
      </Routes>
    );
  }
  if (session.user.mustChangePassword) {
    return (
      <Routes>
        <Route path="/password" element={<ChangePasswordPage />} />
        <Route path="*" element={<Navigate to="/password" replace />} />
      </Routes>
    );
  }
  return (
    <Routes>
      <Route path="/sign-in" element={<Navigate to="/" replace />} />
      <Route element={<AppLayout />}>
        <Route index element={<Home />} />
        <Route path="/password" element={<ChangePasswordPage />} />
        <Route path="/customers" element={<Guard permission="customers.read"><CustomersPage /></Guard>} />
        <Route path="/customers/:code" element={<Guard permission="customers.read"><CustomerPage /></Guard>} />
        <Route path="/documents" element={<Guard permission="documents.read"><DocumentsPage /></Guard>} />
        <Route path="/documents/:ref" element={<Guard permission="documents.read"><DocumentPage /></Guard>} />
        <Route path="/payments/new" element={<Guard permission="documents.post"><RecordPaymentPage /></Guard>} />
        <Route path="/aging" element={<Guard permission="customers.read"><AgingPage /></Guard>} />
        <Route path="/kpis" element={<Guard permission="customers.read"><KpisPage /></Guard>} />
        <Route path="/provision" element={<Guard permission="provision.read"><ProvisionPage /></Guard>} />
        <Route path="/customers/:code/credit" element={<Guard permission="credit.read"><CreditFilePage /></Guard>} />
        <Route path="/credit/reviews" element={<Guard permission="credit.read"><CreditReviewsPage /></Guard>} />
        <Route path="/credit" element={<Guard permission="customers.read"><CreditPage /></Guard>} />
        <Route path="/alerts" element={<Guard permission="alerts.read"><AlertsPage /></Guard>} />
        <Route path="/alerts/settings" element={<Guard permission="alerts.read"><AlertSettingsPage /></Guard>} />
        <Route path="/bank" element={<Guard permission="bank.import"><BankImportPage /></Guard>} />
        <Route path="/bank/statements" element={<Guard permission="documents.read"><BankStatementsPage /></Guard>} />
        <Route path="/bank/statements/:id" element={<Guard permission="documents.read"><BankStatementPage /></Guard>} />
        <Route path="/bank/matching" element={<Guard permission="documents.read"><CashMatchingPage /></Guard>} />
        <Route path="/bank/unapplied" element={<Guard permission="customers.read"><UnappliedPage /></Guard>} />
        <Route path="/disputes" element={<Guard permission="customers.read"><DisputesPage /></Guard>} />
        <Route path="/worklist" element={<Guard permission="customers.read"><WorklistPage /></Guard>} />
        <Route path="/dunning" element={<Guard permission="customers.read"><DunningPage /></Guard>} />
        <Route path="/payment-plans" element={<Guard permission="customers.read"><PaymentPlansPage /></Guard>} />
        <Route path="/escalations" element={<Guard permission="customers.read"><EscalationsPage /></Guard>} />
        <Route path="/collectors/targets" element={<Guard permission="customers.read"><TargetsPage /></Guard>} />
        <Route path="/statements" element={<Guard permission="customers.read"><StatementsPage /></Guard>} />
        <Route path="/confirmations" element={<Guard permission="confirmations.read"><ConfirmationsPage /></Guard>} />
        <Route path="/approvals" element={<Guard><ApprovalsPage /></Guard>} />
        <Route path="/audit" element={<Guard permission="audit.read"><AuditPage /></Guard>} />
        <Route path="/admin/users" element={<Guard permission="users.read"><UsersPage /></Guard>} />
        <Route path="/admin/company" element={<Guard permission="company.read"><CompanyPage /></Guard>} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
