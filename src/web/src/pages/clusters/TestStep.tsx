import type { ConnectionKind, ConnectionTestReport } from '../../api/types';
import { CheckboxField } from '../../components/Field';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Facts } from '../../components/Facts';
import { ConnectionChecks } from './ConnectionChecks';
import { gpuModels, READINESS } from './cluster-format';
import { Badge } from '../../components/Badge';
import { formatBytes } from '../../lib/format';

export interface TestState {
  pending: boolean;
  report: ConnectionTestReport | undefined;
  error: unknown;
}

/** Step 2: the connection test's checks, and what it found; a failed test needs "register anyway". */
export function TestStep({
  kind,
  test,
  onRetest,
  registerAnyway,
  onRegisterAnyway,
}: {
  kind: ConnectionKind;
  test: TestState;
  onRetest: () => void;
  registerAnyway: boolean;
  onRegisterAnyway: (value: boolean) => void;
}) {
  const { pending, report, error } = test;
  if (pending) {
    return (
      <p className="test-running" role="status">
        <span className="spinner" aria-hidden="true" /> Testing the connection…
      </p>
    );
  }
  return (
    <>
      {error ? <ErrorBanner error={error} title="The test could not run. Go back and check the connection." /> : null}
      {report && (
        <section className="test-report" aria-label="Connection test result">
          <div className={report.ok ? 'alert alert-success' : kind === 'agent' ? 'alert alert-warning' : 'alert alert-error'} role="status">
            <strong className="alert-title">{report.ok ? 'Connection works.' : kind === 'agent' ? 'Nothing to test yet.' : 'The test failed.'}</strong>
            <span>{report.message}</span>
          </div>
          <ConnectionChecks checks={report.checks} />
          <Facts
            label="What the test found"
            facts={[
              ['Readiness', <Badge tone={READINESS[report.readiness].tone}>{READINESS[report.readiness].label}</Badge>],
              report.inventory && ['Nodes', `${report.inventory.totals.readyNodes} of ${report.inventory.totals.nodes} ready`],
              report.inventory && ['GPUs', report.inventory.totals.gpus === 0 ? 'none' : `${report.inventory.totals.gpus}: ${gpuModels(report.inventory)}`],
              report.inventory && ['GPUs allocated', `${report.inventory.totals.gpuAllocated} of ${report.inventory.totals.gpuAllocatable}`],
              report.inventory && ['CPU cores', report.inventory.totals.cpuCores],
              report.inventory && ['Memory', formatBytes(report.inventory.totals.memoryBytes)],
            ]}
          />
        </section>
      )}
      <div>
        <button type="button" className="btn btn-secondary btn-small" onClick={onRetest}>
          Test again
        </button>
      </div>
      {report && !report.ok && kind !== 'agent' && (
        <CheckboxField
          label="Register anyway"
          hint="Save the cluster although the test failed; it shows as not ready until a test passes."
          checked={registerAnyway}
          onChange={onRegisterAnyway}
        />
      )}
    </>
  );
}

/** Whether the register flow may go on from the test step. */
export function testAllowsNext(kind: ConnectionKind, test: TestState, registerAnyway: boolean): boolean {
  if (test.pending || !test.report) return false;
  return test.report.ok || kind === 'agent' || registerAnyway;
}
