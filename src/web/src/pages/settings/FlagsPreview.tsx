import type { RenderResult } from '../../api/types';
import { useReveal } from '../../lib/use-reveal';

// Shown as a shell would need it, for reading and copying; H-MAS itself never goes through a shell.
const quote = (arg: string) => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/** The command line and environment a runtime gets, and what it will not apply. */
export function FlagsPreview({ result }: { result: RenderResult }) {
  const command = [...result.command.host, ...result.args].map(quote).join(' ');
  const env = Object.entries(result.env);
  const ref = useReveal<HTMLElement>(result);
  return (
    <section ref={ref} className="flags-preview" aria-label="Flags preview">
      <h4 className="preview-title">Command line</h4>
      <pre className="code-block">{command}</pre>
      {result.command.container && (
        <p className="field-hint">
          In a container: <code>{[...result.command.container].join(' ')}</code> followed by the same arguments.
        </p>
      )}
      <h4 className="preview-title">Environment</h4>
      {env.length > 0 ? <pre className="code-block">{env.map(([name, value]) => `${name}=${value}`).join('\n')}</pre> : <p className="muted">No variables.</p>}
      {result.warnings.length > 0 && (
        <div className="alert alert-warning" role="status">
          <strong className="alert-title">Not applied:</strong>
          <ul className="notes">
            {result.warnings.map((warning) => (
              <li key={warning.path}>{warning.message}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
