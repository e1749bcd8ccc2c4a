import { NavLink, Outlet } from 'react-router';
import { useIsAdmin } from '../../auth/current-user';
import { PageHeader } from '../../components/PageHeader';

const tabs = [
  { to: 'profile', label: 'Profile' },
  { to: 'users', label: 'Users' },
  { to: 'audit-logs', label: 'Audit logs' },
  { to: 'resource-profiles', label: 'Resource profiles' },
  { to: 'placement-strategies', label: 'Placement strategies' },
  { to: 'failover-policies', label: 'Failover policies' },
  { to: 'optimization-presets', label: 'Optimization presets' },
  { to: 'secrets', label: 'Secrets' },
] as const;

/** Admins only: the instance's leadership and background loops. */
const adminTabs = [{ to: 'system', label: 'System' }] as const;

/** Settings: each tab is a child route (/settings/profile, …) so it can be linked to. */
export function SettingsPage() {
  const shown = useIsAdmin() ? [...tabs, ...adminTabs] : tabs;
  return (
    <>
      <PageHeader title="Settings" description="Your profile, the people who can sign in and what they did, the policies and presets deployments use, and (admins) the instance itself." />
      <nav className="tabs tabs-many" aria-label="Settings sections">
        {shown.map((tab) => (
          <NavLink key={tab.to} to={tab.to} className="tab">
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <div className="tab-panel">
        <Outlet />
      </div>
    </>
  );
}
