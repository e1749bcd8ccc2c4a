import { useEffect, useRef, useState } from 'react';

/**
 * `value` once it has stayed the same for `delayMs`. Values are compared as JSON, so a new object
 * with the same content does not restart the wait.
 */
export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  const latest = useRef(value);
  useEffect(() => {
    latest.current = value;
  });
  const key = JSON.stringify(value) ?? '';
  useEffect(() => {
    const timer = setTimeout(() => setSettled(latest.current), delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);
  return settled;
}
