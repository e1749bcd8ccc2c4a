import type { ReactNode } from 'react';
import { Icon } from './Icon';

/** The primary button that adds to a list ("New API key", "Deploy model"), with a plus. */
export function AddButton({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" className="btn btn-primary" onClick={onClick}>
      <Icon name="plus" />
      {children}
    </button>
  );
}

/**
 * An action at the end of a table row. Its accessible name names the row ("Edit one-h100"), so
 * a screen reader, and a browser test, can tell the rows' buttons apart.
 */
export function RowButton({ action, row, danger = false, onClick }: { action: string; row: string; danger?: boolean; onClick: () => void }) {
  return (
    <button type="button" className={danger ? 'btn btn-ghost btn-small btn-danger-text' : 'btn btn-ghost btn-small'} aria-label={`${action} ${row}`} onClick={onClick}>
      {action}
    </button>
  );
}
