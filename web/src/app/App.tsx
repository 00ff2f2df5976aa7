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
        <Route path="/approvals" element={<Guard><ApprovalsPage /></Guard>} />
        <Route path="/audit" element={<Guard permission="audit.read"><AuditPage /></Guard>} />
        <Route path="/admin/users" element={<Guard permission="users.read"><UsersPage /></Guard>} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
