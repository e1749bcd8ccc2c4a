import { metricsProblem } from './metrics-problem';
import { PrometheusHint } from './PrometheusHint';
import { StaleMarker } from './StaleMarker';

export interface MetricsStatusProps {
  /** "metric history", "GPU metrics", … */
  what: string;
  /** The query's error (the last poll failed), if any. */
  error: unknown;
  /** Whether an earlier answer is on show. */
  hasData: boolean;
  /** The answer's own staleness: when its numbers are of, and whether the server says they are old. */
  at?: string | undefined;
  stale?: boolean | undefined;
  staleReason?: string | undefined;
  /** Short: a stale marker without its reason (in its tooltip then). */
  compact?: boolean;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The line above a metrics view that says what is wrong, if anything: the Prometheus setup hint,
 * "not served here", a stale marker over the last answer when a poll failed (Prometheus down or
 * slow) or the server marked it stale, or a warning when there is nothing to show.
 */
export function MetricsStatus({ what, error, hasData, at, stale, staleReason, compact = false }: MetricsStatusProps) {
  const problem = metricsProblem(error);
  const message = error instanceof Error ? error.message : undefined;
  if (problem === 'not-configured') return <PrometheusHint what={capitalize(what)} />;
  if (problem === 'not-served') {
    return (
      <p className="muted metrics-empty" role="note">
        This H-MAS server does not serve {what} yet.
      </p>
    );
  }
  if (problem && hasData) return <StaleMarker since={at} reason={message} compact={compact} />;
  if (problem) {
    return (
      <div className="alert alert-warning" role="alert">
        <strong className="alert-title">Could not load {what}.</strong>
        <span>{message}</span>
      </div>
    );
  }
  if (stale) return <StaleMarker since={at} reason={staleReason} compact={compact} />;
  return null;
}
