import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth, UnauthorizedRedirect } from './auth/RequireAuth';
import { Layout } from './components/Layout';
import { NotAvailable } from './components/NotAvailable';
import { plannedFeatures } from './features';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { AuditLogsTab } from './pages/settings/AuditLogsTab';
import { ProfileTab } from './pages/settings/ProfileTab';
import { SettingsPage } from './pages/settings/SettingsPage';
import { UsersTab } from './pages/settings/UsersTab';

/** Every client route. The server answers unknown non-API paths with index.html. */
export function App() {
  return (
    <>
      <UnauthorizedRedirect />
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<RequireAuth />}>
          <Route element={<Layout />}>
            <Route index element={<NotAvailable feature={plannedFeatures.dashboard} />} />
            <Route path="clusters/*" element={<NotAvailable feature={plannedFeatures.clusters} />} />
            <Route path="models/*" element={<NotAvailable feature={plannedFeatures.models} />} />
            <Route path="instances/*" element={<NotAvailable feature={plannedFeatures.instances} />} />
            <Route path="monitoring/*" element={<NotAvailable feature={plannedFeatures.monitoring} />} />
            <Route path="inference-logs/*" element={<NotAvailable feature={plannedFeatures.inferenceLogs} />} />
            <Route path="api-keys/*" element={<NotAvailable feature={plannedFeatures.apiKeys} />} />
            <Route path="settings" element={<SettingsPage />}>
              <Route index element={<Navigate to="profile" replace />} />
              <Route path="profile" element={<ProfileTab />} />
              <Route path="users" element={<UsersTab />} />
              <Route path="audit-logs" element={<AuditLogsTab />} />
            </Route>
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Route>
      </Routes>
    </>
  );
}
