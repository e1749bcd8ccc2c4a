import { useId } from 'react';
import type { CreatedApiKey } from '../../api/types';
import { CopyButton } from '../../components/CopyButton';
import { ModalDialog } from '../../components/ModalDialog';

/** Escape does nothing here: only Done closes the dialog, so a stray key press cannot lose the key. */
const stayOpen = () => undefined;

/**
 * The plain key of a key just created, shown this once: the server keeps only its hash, and the
 * page forgets it when the dialog closes. A modal, so it cannot be missed behind the list.
 */
export function CreatedKeyDialog({ created, onClose }: { created: Pick<CreatedApiKey, 'name' | 'key'> | null; onClose: () => void }) {
  const id = useId();

  return (
    <ModalDialog
      open={created !== null}
      className="confirm-dialog key-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-warning`}
      onEscape={stayOpen}
      onOpened={(dialog) => dialog.querySelector('input')?.select()}
    >
      {created && (
        <div className="confirm-panel">
          <h2 id={`${id}-title`} className="confirm-title">
            API key {created.name} created
          </h2>
          <div id={`${id}-warning`} className="alert alert-warning" role="status">
            <strong className="alert-title">Copy it now: you will not see this key again.</strong>
            <span>H-MAS keeps only its hash. If it is lost, revoke it and create a new one.</span>
          </div>
          <label htmlFor={id} className="field-label">
            API key
          </label>
          <div className="token-row">
            <input id={id} className="input mono" readOnly value={created.key} onFocus={(event) => event.target.select()} />
            <CopyButton text={created.key} label="Copy key" />
          </div>
          <p className="muted">
            Send it as <code className="mono">Authorization: Bearer {'<key>'}</code> to the OpenAI-compatible API at{' '}
            <code className="mono">{window.location.origin}/v1</code>.
          </p>
          <div className="confirm-actions">
            <button type="button" className="btn btn-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      )}
    </ModalDialog>
  );
}
