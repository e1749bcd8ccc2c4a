/** Where the setup is described, in the H-MAS source tree (the server does not serve the docs, so it is named, not linked). */
export const MONITORING_DOCS = 'docs/monitoring.md';

/** What to set so metric history works: shown instead of charts while Prometheus is not configured. */
export function PrometheusHint({ what = 'Metric history' }: { what?: string }) {
  return (
    <div className="alert alert-info metrics-hint" role="note" aria-label="Prometheus setup">
      <strong className="alert-title">{what} needs Prometheus</strong>
      <span>
        Set <code>PROMETHEUS_URL</code> (and <code>PROMETHEUS_BEARER_TOKEN</code>, or <code>PROMETHEUS_USERNAME</code> and{' '}
        <code>PROMETHEUS_PASSWORD</code>, if it asks for credentials) and restart H-MAS. <code>{MONITORING_DOCS}</code> has a{' '}
        <code>prometheus.yml</code> that scrapes every replica. Live numbers work without it.
      </span>
    </div>
  );
}
