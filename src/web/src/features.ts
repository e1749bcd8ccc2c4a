import type { PlannedFeature } from './components/NotAvailable';

// What each not-yet-built page will hold (SPEC §7). The placeholder panel renders these; when a
// page is built, drop its entry here and point its route at the real component.
export const plannedFeatures = {
  monitoring: {
    title: 'Monitoring',
    summary: 'Metrics, pod logs and events for every instance.',
    planned: [
      'Gauges with p95/p99 and time-series charts',
      'Pod logs and Kubernetes events in a side panel (live and history)',
      'Time presets: 1 h, 24 h, 7 d, 30 d and custom',
    ],
  },
} as const satisfies Record<string, PlannedFeature>;
