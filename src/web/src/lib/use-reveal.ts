import { useEffect, useRef } from 'react';

/**
 * A ref for something that appears below the fold of a drawer (a preview, a result): once
 * `shown` is set it is scrolled into view.
 */
export function useReveal<T extends HTMLElement>(shown: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (shown) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [shown]);
  return ref;
}
