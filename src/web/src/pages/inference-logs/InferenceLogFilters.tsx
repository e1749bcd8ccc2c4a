import type { LogFilterInput } from '../../components/LogFilters';
import { LogFilters } from '../../components/LogFilters';
import type { PagedQuery } from '../../lib/url-query';
import type { LOG_FILTER_KEYS } from './inference-log-format';
import { COMMON_STATUS_CODES } from './inference-log-format';

type FilterKey = Exclude<(typeof LOG_FILTER_KEYS)[number], 'from' | 'to'>;

/**
 * Deployment, user (operators and admins: viewers see only their own requests), status code and
 * time range.
 */
export function InferenceLogFilters({
  query,
  deployments,
  showUser,
  onApply,
}: {
  query: PagedQuery<(typeof LOG_FILTER_KEYS)[number]>;
  /** Names offered in the deployment box; any name can be typed (deleted deployments too). */
  deployments: readonly string[];
  showUser: boolean;
  onApply: (filters: Partial<Record<(typeof LOG_FILTER_KEYS)[number], string>>) => void;
}) {
  const inputs: Array<LogFilterInput<FilterKey>> = [
    { key: 'deployment', label: 'Deployment', placeholder: 'name', suggestions: deployments },
    ...(showUser ? [{ key: 'user', label: 'User', placeholder: 'username' } as const] : []),
    { key: 'statusCode', label: 'Status code', placeholder: 'e.g. 429', inputMode: 'numeric', suggestions: COMMON_STATUS_CODES, narrow: true },
  ];
  return (
    <LogFilters
      label="Inference log filters"
      inputs={inputs}
      query={query}
      check={({ statusCode }) => (statusCode && !/^[1-5]\d\d$/.test(statusCode) ? { key: 'statusCode', message: 'Status code: a three-digit HTTP code, e.g. 429.' } : null)}
      onApply={onApply}
    />
  );
}
