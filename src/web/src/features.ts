import type { PlannedFeature } from './components/NotAvailable';

// What each not-yet-built page will hold (SPEC §7). The placeholder panel renders these; when a
// page is built, drop its entry here and point its route at the real component. Every page of
// SPEC §7 is built today.
export const plannedFeatures = {} as const satisfies Record<string, PlannedFeature>;
