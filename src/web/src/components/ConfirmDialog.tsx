import type { ReactNode } from 'react';
import { useId } from 'react';
import { ModalDialog } from './ModalDialog';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  tone?: 'danger' | 'primary';
  pending?: boolean;
  /** The confirm button waits (a preview still loading); Cancel stays available. */
  confirmDisabled?: boolean;
  /** Shown inside the dialog, e.g. the server refusing to delete the last admin. */
  error?: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  tone = 'danger',
  pending = false,
  confirmDisabled = false,
  error,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const titleId = useId();
  const bodyId = useId();

  return (
    <ModalDialog
      open={open}
      className="confirm-dialog"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onEscape={() => {
        if (!pending) onCancel();
      }}
    >
      <div className="confirm-panel">
        <h2 id={titleId} className="confirm-title">
          {title}
        </h2>
        <div id={bodyId} className="confirm-body">
          {children}
        </div>
        {error}
        <div className="confirm-actions">
          {/* The safe choice gets focus, so Enter does not delete by accident. */}
          <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={pending} data-autofocus>
            Cancel
          </button>
          <button
            type="button"
            className={tone === 'danger' ? 'btn btn-danger' : 'btn btn-primary'}
            onClick={onConfirm}
            disabled={pending || confirmDisabled}
          >
            {pending ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </ModalDialog>
  );
}
