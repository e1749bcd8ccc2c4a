import { NavLink, Outlet } from 'react-router';
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

/** Settings: each tab is a child route (/settings/profile, …) so it can be linked to. */
export function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="Your profile, the people who can sign in and what they did, and the policies and presets deployments use." />
      <nav className="tabs" aria-label="Settings sections">
        {tabs.map((tab) => (
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
