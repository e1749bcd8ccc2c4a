import { useEffect } from 'react';

export function useDocumentTitle(...parts: string[]): void {
  const title = [...parts, 'H-MAS'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
