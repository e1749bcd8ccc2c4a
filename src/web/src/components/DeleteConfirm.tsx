import type { UseMutationResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorBanner } from './ErrorBanner';

export interface DeleteConfirmProps<T> {
  /** What is about to be deleted; null = closed. */
  target: T | null;
  /** "resource profile", "cluster", … */
  noun: string;
  nameOf: (target: T) => string;
  idOf: (target: T) => string;
  remove: UseMutationResult<unknown, Error, string>;
  /** Called with null on cancel, with the name once deleted. */
  onClose: (deletedName: string | null) => void;
  /** What deleting means (shown in the dialog). */
  children: ReactNode;
}

/**
 * "Delete X?" with the server's refusal (e.g. 409 POLICY_IN_USE naming what still uses it)
 * shown inside the dialog.
 */
export function DeleteConfirm<T>({ target, noun, nameOf, idOf, remove, onClose, children }: DeleteConfirmProps<T>) {
  const close = (deletedName: string | null) => {
    remove.reset();
    onClose(deletedName);
  };
  const name = target ? nameOf(target) : '';
  return (
    <ConfirmDialog
      open={target !== null}
      title={`Delete ${noun} ${name}?`}
      confirmLabel={`Delete ${noun}`}
      pending={remove.isPending}
      error={<ErrorBanner error={remove.error} />}
      onCancel={() => close(null)}
      onConfirm={() => {
        if (target) remove.mutate(idOf(target), { onSuccess: () => close(name) });
      }}
    >
      {children}
    </ConfirmDialog>
  );
}
