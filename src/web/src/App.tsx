import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth, UnauthorizedRedirect } from './auth/RequireAuth';
import { Layout } from './components/Layout';
import { ApiKeysPage } from './pages/api-keys/ApiKeysPage';
import { DashboardPage } from './pages/dashboard/DashboardPage';
import { InferenceLogsPage } from './pages/inference-logs/InferenceLogsPage';
import { EventsTab } from './pages/instances/EventsTab';
import { HistoryTab } from './pages/instances/HistoryTab';
import { InstanceDetailPage } from './pages/instances/InstanceDetailPage';
import { LogsTab } from './pages/instances/LogsTab';
import { MetricsTab } from './pages/instances/MetricsTab';
import { OverviewTab } from './pages/instances/OverviewTab';
import { InstancesPage } from './pages/instances/InstancesPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { CostsPage } from './pages/costs/CostsPage';
import { ClusterDetailPage } from './pages/clusters/ClusterDetailPage';
import { ClustersPage } from './pages/clusters/ClustersPage';
import { ModelDetailPage } from './pages/models/ModelDetailPage';
import { ModelsPage } from './pages/models/ModelsPage';
import { MonitoringPage } from './pages/monitoring/MonitoringPage';
import { AuditLogsTab } from './pages/settings/AuditLogsTab';
import { FailoverPoliciesTab } from './pages/settings/FailoverPoliciesTab';
import { OptimizationPresetsTab } from './pages/settings/OptimizationPresetsTab';
import { PlacementStrategiesTab } from './pages/settings/PlacementStrategiesTab';
import { ProfileTab } from './pages/settings/ProfileTab';
import { ResourceProfilesTab } from './pages/settings/ResourceProfilesTab';
import { SecretsTab } from './pages/settings/SecretsTab';
import { SettingsPage } from './pages/settings/SettingsPage';
import { SystemTab } from './pages/settings/SystemTab';
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
            <Route index element={<DashboardPage />} />
            <Route path="dashboard" element={<Navigate to="/" replace />} />
            <Route path="clusters" element={<ClustersPage />} />
            <Route path="clusters/:name" element={<ClusterDetailPage />} />
            <Route path="models" element={<ModelsPage />} />
            <Route path="models/:id" element={<ModelDetailPage />} />
            <Route path="instances" element={<InstancesPage />} />
            <Route path="instances/:id" element={<InstanceDetailPage />}>
              <Route index element={<OverviewTab />} />
              <Route path="metrics" element={<MetricsTab />} />
              <Route path="events" element={<EventsTab />} />
              <Route path="logs" element={<LogsTab />} />
              <Route path="history" element={<HistoryTab />} />
              <Route path="*" element={<Navigate to=".." replace />} />
            </Route>
            <Route path="monitoring" element={<MonitoringPage />} />
            <Route path="inference-logs" element={<InferenceLogsPage />} />
            <Route path="api-keys" element={<ApiKeysPage />} />
            <Route path="costs" element={<CostsPage />} />
            <Route path="settings" element={<SettingsPage />}>
              <Route index element={<Navigate to="profile" replace />} />
              <Route path="profile" element={<ProfileTab />} />
              <Route path="users" element={<UsersTab />} />
              <Route path="audit-logs" element={<AuditLogsTab />} />
              <Route path="resource-profiles" element={<ResourceProfilesTab />} />
              <Route path="placement-strategies" element={<PlacementStrategiesTab />} />
              <Route path="failover-policies" element={<FailoverPoliciesTab />} />
              <Route path="optimization-presets" element={<OptimizationPresetsTab />} />
              <Route path="secrets" element={<SecretsTab />} />
              <Route path="system" element={<SystemTab />} />
            </Route>
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Route>
      </Routes>
    </>
  );
}
