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
  inferenceLogs: {
    title: 'Inference logs',
    summary: 'Requests served through the OpenAI-compatible gateway.',
    planned: ['Per-request model, API key, tokens, latency and status', 'Filters and pagination (25/50/100 per page)'],
  },
  apiKeys: {
    title: 'API keys',
    summary: 'Keys clients use to call the inference gateway.',
    planned: ['Create keys with expiry, scopes and RPM/TPM limits', 'Copy a new key once, at creation', 'Revoke keys'],
  },
} as const satisfies Record<string, PlannedFeature>;
