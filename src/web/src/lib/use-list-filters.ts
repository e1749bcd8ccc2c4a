import { useState } from 'react';
import type { PageWindow } from '../components/ListPanel';

/**
 * A list's filters and page, held by the page (the logs keep theirs in the URL: url-query.ts).
 * Changing the filters goes back to the first page.
 */
export function useListFilters<F extends { [K in keyof F]: string }>(none: F) {
  const [filters, setFilterState] = useState<F>(none);
  const [page, setPage] = useState<PageWindow>({ limit: 25, offset: 0 });
  return {
    filters,
    setFilters: (next: F) => {
      setFilterState(next);
      setPage((current) => ({ ...current, offset: 0 }));
    },
    /** Whether any filter is set (an empty list then says "No … match these filters."). */
    filtered: Object.values<string>(filters).some(Boolean),
    page,
    setPage,
  };
}
