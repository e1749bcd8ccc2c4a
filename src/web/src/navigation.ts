import type { IconName } from './components/Icon';

export interface NavItem {
  to: string;
  label: string;
  icon: IconName;
}

/** The sidebar, top to bottom. Each `to` needs a matching route in App.tsx. */
export const navItems: readonly NavItem[] = [
  { to: '/', label: 'Dashboard', icon: 'dashboard' },
  { to: '/clusters', label: 'Clusters', icon: 'clusters' },
  { to: '/models', label: 'Models', icon: 'models' },
  { to: '/instances', label: 'Instances', icon: 'instances' },
  { to: '/monitoring', label: 'Monitoring', icon: 'monitoring' },
  { to: '/inference-logs', label: 'Inference logs', icon: 'logs' },
  { to: '/api-keys', label: 'API keys', icon: 'key' },
  { to: '/costs', label: 'Costs', icon: 'cost' },
  { to: '/settings', label: 'Settings', icon: 'settings' },
];
