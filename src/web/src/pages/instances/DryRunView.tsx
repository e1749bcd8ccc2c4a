import type { DryRunAnswer } from '../../api/types';
import { Badge } from '../../components/Badge';

/** The server's dry-run answer: restart or not (strategy, reason, impact), the fit after the change, warnings. */
export function DryRunView({ answer }: { answer: DryRunAnswer }) {
  return (
    <div className="stack-tight" aria-label="Dry run">
      {answer.restartRequired ? (
        <div className="alert alert-warning" role="status">
          <strong className="alert-title">Restart required ({answer.strategy})</strong>
          <span>{answer.reason}</span>
          <span>{answer.impact}</span>
        </div>
      ) : (
        <div className="alert alert-success" role="status">
          <strong className="alert-title">No restart</strong>
          <span>{answer.reason}</span>
          <span>{answer.impact}</span>
        </div>
      )}
      <p className="fit-verdict">
        <Badge tone={answer.fit.fits ? 'ok' : 'error'}>{answer.fit.fits ? 'fits' : 'does not fit'}</Badge> {answer.fit.message}
      </p>
      {answer.warnings.length > 0 && (
        <ul className="notes" aria-label="Warnings">
          {answer.warnings.map((warning) => (
            <li key={`${warning.path}:${warning.message}`}>
              <code className="mono">{warning.path}</code>: {warning.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
