import type { ReactNode } from 'react';
import { useId } from 'react';
import { ErrorBanner } from './ErrorBanner';
import { Icon } from './Icon';
import { ModalDialog } from './ModalDialog';

export interface DrawerProps {
  open: boolean;
  title: string;
  description?: ReactNode;
  /** Called on Escape, the close button or Cancel; the parent decides whether to close. */
  onClose: () => void;
  /** About twice as wide: for reading (logs, events) rather than a form. */
  wide?: boolean;
  children: ReactNode;
}

/** What takes focus when a drawer opens: the field marked for it, else the first field. */
const DRAWER_FOCUS: readonly string[] = ['[data-autofocus]', '.drawer-body input:not([type=hidden]), .drawer-body select, .drawer-body textarea'];

/**
 * The side panel every create/edit form uses: a modal (see ModalDialog) whose content mounts
 * only while open, so forms start fresh each time.
 *
 * A form inside renders its fields in a <form id> and a <DrawerActions formId> after it; the
 * action row sticks to the bottom of the panel while the fields scroll.
 */
export function Drawer({ open, title, description, onClose, wide = false, children }: DrawerProps) {
  const titleId = useId();
  const descriptionId = useId();

  return (
    <ModalDialog
      open={open}
      className={wide ? 'drawer drawer-wide' : 'drawer'}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onEscape={onClose}
      focusFirst={DRAWER_FOCUS}
    >
      <div className="drawer-panel">
        <header className="drawer-header">
          <div>
            <h2 id={titleId} className="drawer-title">
              {title}
            </h2>
            {description && (
              <p id={descriptionId} className="drawer-description">
                {description}
              </p>
            )}
          </div>
          <button type="button" className="btn btn-icon btn-ghost" aria-label="Close" onClick={onClose}>
            <Icon name="close" />
          </button>
        </header>
        <div className="drawer-body">{children}</div>
      </div>
    </ModalDialog>
  );
}

export interface DrawerActionsProps {
  /** The id of the <form> the submit button submits. */
  formId: string;
  submitLabel: string;
  pendingLabel?: string;
  pending?: boolean;
  disabled?: boolean;
  onCancel: () => void;
  /** More buttons between Cancel and submit (e.g. Back in a multi-step form). */
  children?: ReactNode;
}

/** Cancel + submit, pinned to the bottom of a drawer. */
export function DrawerActions({ formId, submitLabel, pendingLabel, pending = false, disabled = false, onCancel, children }: DrawerActionsProps) {
  return (
    <div className="drawer-actions">
      <button type="button" className="btn btn-secondary" onClick={onCancel}>
        Cancel
      </button>
      {children}
      <button type="submit" form={formId} className="btn btn-primary" disabled={pending || disabled}>
        {pending ? (pendingLabel ?? 'Saving…') : submitLabel}
      </button>
    </div>
  );
}

export interface DrawerFormProps extends Omit<DrawerActionsProps, 'formId'> {
  onSubmit: () => void;
  /** What goes in the banner above the fields (see splitFormError). */
  error?: unknown;
  /** The fields; `actions` are extra buttons for the action row. */
  children: ReactNode;
  actions?: ReactNode;
}

/** The form of a drawer: banner, fields, and the action row submitting it. */
export function DrawerForm({ onSubmit, error, children, actions, ...actionProps }: DrawerFormProps) {
  const formId = useId();
  return (
    <>
      <form
        id={formId}
        className="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit();
        }}
      >
        <ErrorBanner error={error} />
        {children}
      </form>
      <DrawerActions formId={formId} {...actionProps}>
        {actions}
      </DrawerActions>
    </>
  );
}
