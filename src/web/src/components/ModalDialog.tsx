import type { DialogHTMLAttributes, ReactNode } from 'react';
import { useEffect, useRef } from 'react';

const AUTOFOCUS: readonly string[] = ['[data-autofocus]'];

export interface ModalDialogProps extends Omit<DialogHTMLAttributes<HTMLDialogElement>, 'open' | 'onCancel' | 'children'> {
  open: boolean;
  /** Escape was pressed; the parent decides whether to close (by setting `open` to false). */
  onEscape: () => void;
  /**
   * Selectors tried in turn for what takes focus on opening; the first that matches wins. By
   * default the element marked `data-autofocus`, else the browser's choice (the first control).
   */
  focusFirst?: readonly string[];
  /** After it has opened and focused, e.g. to select a field's text. */
  onOpened?: (dialog: HTMLDialogElement) => void;
  /** Mounted only while open, so what is inside starts fresh each time. */
  children: ReactNode;
}

/**
 * The shell of every dialog and drawer: a native modal <dialog>, which traps focus, makes the page
 * behind it inert and gives focus back to the opener when it closes.
 */
export function ModalDialog({ open, onEscape, focusFirst = AUTOFOCUS, onOpened, children, ...attributes }: ModalDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      for (const selector of focusFirst) {
        const target = dialog.querySelector<HTMLElement>(selector);
        if (target) {
          target.focus();
          break;
        }
      }
      onOpened?.(dialog);
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open, focusFirst, onOpened]);

  return (
    <dialog
      ref={ref}
      {...attributes}
      onCancel={(event) => {
        event.preventDefault();
        onEscape();
      }}
    >
      {open && children}
    </dialog>
  );
}
