import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useEffect, useId } from 'react';
import type { Page } from '../api/types';
import type { PageNotice } from '../lib/use-notice';
import type { DataTableProps } from './DataTable';
import { DataTable } from './DataTable';
import { ErrorBanner, Notice } from './ErrorBanner';
import { Pagination } from './Pagination';
import { PanelHeader } from './PanelHeader';

/** Which rows of a list are shown. */
export interface PageWindow {
  limit: number;
  offset: number;
}

export interface ListPanelProps<T> extends Omit<DataTableProps<T>, 'rows' | 'loading' | 'caption'> {
  /** The panel's accessible name; its visible heading too when it has a `header`. */
  title: string;
  /** Title, description and buttons of the panel's own (a settings tab); a page has its header above the panel. */
  header?: { description?: ReactNode; actions?: ReactNode };
  /** The table's caption, for screen readers; the title when not given. */
  caption?: string;
  /** One page of the list, as its query hook answers. */
  list: UseQueryResult<Page<T>>;
  /** Says the list did not load: "Could not load the API keys." */
  errorTitle: string;
  notice?: PageNotice;
  /** Filters, between the banners and the table. */
  toolbar?: ReactNode;
  page: PageWindow;
  onPageChange: (page: PageWindow) => void;
  /** What is paged, for the pagination's accessible name: "API key pages". */
  pagesLabel: string;
}

/**
 * A list in a panel: notice and load error banners, filters, the table and its pagination. A page
 * that falls past the end (its last row deleted, or a stale link) moves to the last page there is.
 */
export function ListPanel<T>({ title, header, caption, list, errorTitle, notice, toolbar, page, onPageChange, pagesLabel, ...table }: ListPanelProps<T>) {
  const titleId = useId();

  // Only once this page's own answer is in (not the previous page's, kept while loading).
  const pastTheEnd = list.data !== undefined && !list.isPlaceholderData && list.data.items.length === 0;
  const lastPageOffset = Math.max(0, Math.ceil((list.data?.total ?? 0) / page.limit) - 1) * page.limit;
  const moveTo = pastTheEnd && lastPageOffset < page.offset ? lastPageOffset : null;
  useEffect(() => {
    if (moveTo !== null) onPageChange({ limit: page.limit, offset: moveTo });
  }, [moveTo, page.limit, onPageChange]);

  return (
    <section className="panel panel-flush" {...(header ? { 'aria-labelledby': titleId } : { 'aria-label': title })}>
      {header && <PanelHeader titleId={titleId} title={title} description={header.description} actions={header.actions} />}
      {(notice?.text || list.isError) && (
        <div className={header ? 'panel-section' : 'panel-section panel-section-top'}>
          {notice?.text && <Notice onDismiss={notice.dismiss}>{notice.text}</Notice>}
          <ErrorBanner error={list.error} title={errorTitle} />
        </div>
      )}
      {toolbar}
      <DataTable caption={caption ?? title} rows={list.data?.items} loading={list.isPending} {...table} />
      {list.data && (
        <Pagination
          label={pagesLabel}
          total={list.data.total}
          limit={page.limit}
          offset={page.offset}
          onChange={onPageChange}
          disabled={list.isFetching && list.isPlaceholderData}
        />
      )}
    </section>
  );
}
