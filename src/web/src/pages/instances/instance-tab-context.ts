import { useOutletContext } from 'react-router';
import type { Deployment } from '../../api/types';
import type { RouteTab } from '../../components/RouteTabs';

/**
 * The tabs of the instance page, each a child route (/instances/:id/events, …). A new tab is one
 * entry here and one route in App.tsx.
 */
export const INSTANCE_TABS: readonly RouteTab[] = [
  { to: '', label: 'Overview' },
  { to: 'metrics', label: 'Metrics' },
  { to: 'events', label: 'Events' },
  { to: 'logs', label: 'Logs' },
  { to: 'history', label: 'History' },
];

/** What the instance page hands its tabs: the deployment, and whether they may ask the server (not while it is deleted). */
export interface InstanceTabContext {
  deployment: Deployment;
  enabled: boolean;
}

export const useInstanceTab = () => useOutletContext<InstanceTabContext>();
