import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { toPageSize } from '../components/Pagination';

/** A list's filters (text values, absent when unset) and its page. */
export type PagedQuery<K extends string> = Partial<Record<K, string>> & { limit: number; offset: number };

/**
 * Filters and paging kept in the URL, so a filtered view can be shared and survives a reload.
 * Unknown parameters are ignored; a bad page size or offset falls back to the first page of 25.
 */
export function pagedQueryFromParams<K extends string>(params: URLSearchParams, keys: readonly K[]): PagedQuery<K> {
  const offset = Number(params.get('offset'));
  const query = { limit: toPageSize(params.get('limit')), offset: Number.isInteger(offset) && offset > 0 ? offset : 0 } as PagedQuery<K>;
  for (const key of keys) {
    const value = params.get(key);
    if (value) query[key] = value as PagedQuery<K>[K];
  }
  return query;
}

/** The URL parameters of a query: set filters, and the page size and offset when not the defaults. */
export function paramsFromPagedQuery<K extends string>(query: PagedQuery<K>, keys: readonly K[]): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  if (query.limit !== 25) params.set('limit', String(query.limit));
  if (query.offset > 0) params.set('offset', String(query.offset));
  return params;
}

/**
 * A list's query kept in the URL (see pagedQueryFromParams). `version` changes with the URL: the
 * key of a filter form that starts from the query, so going back and forth in history refills it.
 */
export function useUrlPagedQuery<K extends string>(keys: readonly K[]) {
  const [searchParams, setSearchParams] = useSearchParams();
  const query = useMemo(() => pagedQueryFromParams(searchParams, keys), [searchParams, keys]);
  const setQuery = (next: PagedQuery<K>) => setSearchParams(paramsFromPagedQuery(next, keys));
  return {
    query,
    version: searchParams.toString(),
    /** Whether any filter is set (an empty list then says "No … match these filters."). */
    filtered: keys.some((key) => query[key]),
    /** New filters, from the first page. */
    applyFilters: (filters: Partial<Record<K, string>>) => setQuery({ ...filters, limit: query.limit, offset: 0 } as PagedQuery<K>),
    setPage: ({ limit, offset }: { limit: number; offset: number }) => setQuery({ ...query, limit, offset }),
  };
}
