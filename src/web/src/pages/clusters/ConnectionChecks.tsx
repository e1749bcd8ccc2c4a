import type { ConnectionCheck } from '../../api/types';

/** Each check of a connection test: ✓ or ✗, its name and what it found. */
export function ConnectionChecks({ checks }: { checks: readonly ConnectionCheck[] }) {
  return (
    <ul className="check-list" aria-label="Connection checks">
      {checks.map((check) => (
        <li key={check.name} className={check.ok ? 'check check-ok' : 'check check-failed'}>
          <span className="check-mark" aria-hidden="true">
            {check.ok ? '✓' : '✗'}
          </span>
          <span>
            <strong>{check.name}</strong>
            <span className="visually-hidden">{check.ok ? ' passed' : ' failed'}</span>: {check.detail}
          </span>
        </li>
      ))}
    </ul>
  );
}
