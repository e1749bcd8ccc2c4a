import type { UseMutationResult, UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useEffect, useId, useState } from 'react';
import type { Page } from '../api/types';
import { useCanOperate } from '../auth/current-user';
import type { Column } from './DataTable';
import { DataTable } from './DataTable';
import { DeleteConfirm } from './DeleteConfirm';
import { Drawer } from './Drawer';
import { ErrorBanner, Notice } from './ErrorBanner';
import { Icon } from './Icon';
import { Pagination } from './Pagination';
import { PanelHeader } from './PanelHeader';

/** What the create/edit form in the panel's drawer gets. */
export interface CollectionFormProps<T> {
  /** The item being edited; null when creating. */
  editing: T | null;
  /** The values to start from: the item edited, the one copied, or null for a blank form. */
  initial: T | null;
  /** The name field's start value ("<name>-copy" for a copy). */
  initialName: string;
  onClose: () => void;
  onSaved: (saved: T) => void;
}

export interface CollectionPanelProps<T extends { id: string; name: string }> {
  title: string;
  description: string;
  /** "resource profile": buttons read "New resource profile", "Edit <name>", "Delete <name>". */
  noun: string;
  list: UseQueryResult<Page<T>>;
  page: { limit: number; offset: number };
  onPageChange: (page: { limit: number; offset: number }) => void;
  columns: ReadonlyArray<Column<T>>;
  /** Filters above the table. */
  toolbar?: ReactNode;
  /** Rows that cannot be changed (built-ins) get a Copy action instead of Edit/Delete. */
  readOnly?: (row: T) => boolean;
  remove: UseMutationResult<unknown, Error, string>;
  deleteConsequence: ReactNode;
  /** One line under the drawer's title. */
  drawerDescription: string;
  /** The create/edit form (fields and DrawerForm), mounted each time the drawer opens. */
  form: (props: CollectionFormProps<T>) => ReactNode;
}

type DrawerState<T> = { editing: T | null; template: T | null } | null;

/**
 * A settings list every policy kind shares: table, paging, and — for operators and admins — the
 * create/edit drawer and delete confirmation. Viewers get the table alone.
 */
export function CollectionPanel<T extends { id: string; name: string }>(props: CollectionPanelProps<T>) {
  const { title, description, noun, list, page, onPageChange, columns, toolbar, readOnly, remove, deleteConsequence, drawerDescription, form } = props;
  const titleId = useId();
  const canManage = useCanOperate();
  const [drawerState, setDrawerState] = useState<DrawerState<T>>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // Deleting the last row of the last page leaves an empty page: step back one.
  const pageIsEmpty = list.data !== undefined && list.data.items.length === 0 && page.offset > 0;
  useEffect(() => {
    if (pageIsEmpty) onPageChange({ ...page, offset: Math.max(0, page.offset - page.limit) });
  }, [pageIsEmpty, page, onPageChange]);

  const actions = (row: T) => {
    const button = (label: string, onClick: () => void, danger = false) => (
      <button type="button" className={danger ? 'btn btn-ghost btn-small btn-danger-text' : 'btn btn-ghost btn-small'} aria-label={`${label} ${row.name}`} onClick={onClick}>
        {label}
      </button>
    );
    if (readOnly?.(row)) return button('Copy', () => setDrawerState({ editing: null, template: row }));
    return (
      <>
        {button('Edit', () => setDrawerState({ editing: row, template: null }))}
        {button('Delete', () => setDeleting(row), true)}
      </>
    );
  };

  return (
    <section className="panel panel-flush" aria-labelledby={titleId}>
      <PanelHeader
        titleId={titleId}
        title={title}
        description={canManage ? description : `${description} Only operators and admins can change them.`}
        actions={
          canManage && (
            <button type="button" className="btn btn-primary" onClick={() => setDrawerState({ editing: null, template: null })}>
              <Icon name="plus" />
              New {noun}
            </button>
          )
        }
      />
      {toolbar}
      {notice && (
        <div className="panel-section">
          <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>
        </div>
      )}
      {list.isError && (
        <div className="panel-section">
          <ErrorBanner error={list.error} title={`Could not load the ${plural(noun)}.`} />
        </div>
      )}
      <DataTable
        caption={title}
        columns={columns}
        rows={list.data?.items}
        rowKey={(row) => row.id}
        loading={list.isPending}
        empty={`No ${plural(noun)} yet.`}
        actions={canManage ? actions : undefined}
      />
      {list.data && (
        <Pagination
          label={`${title} pages`}
          total={list.data.total}
          limit={page.limit}
          offset={page.offset}
          onChange={onPageChange}
          disabled={list.isFetching && list.isPlaceholderData}
        />
      )}
      {canManage && (
        <>
          <Drawer
            open={drawerState !== null}
            title={drawerState?.editing ? `Edit ${drawerState.editing.name}` : `New ${noun}`}
            description={drawerDescription}
            onClose={() => setDrawerState(null)}
          >
            {drawerState &&
              form({
                editing: drawerState.editing,
                initial: drawerState.editing ?? drawerState.template,
                initialName: drawerState.editing?.name ?? (drawerState.template ? `${drawerState.template.name}-copy` : ''),
                onClose: () => setDrawerState(null),
                onSaved: (saved) => {
                  setNotice(`${capitalize(noun)} ${saved.name} ${drawerState.editing ? 'saved' : 'created'}.`);
                  setDrawerState(null);
                },
              })}
          </Drawer>
          <DeleteConfirm
            target={deleting}
            noun={noun}
            nameOf={(row) => row.name}
            idOf={(row) => row.id}
            remove={remove}
            onClose={(deletedName) => {
              setDeleting(null);
              if (deletedName) setNotice(`${capitalize(noun)} ${deletedName} deleted.`);
            }}
          >
            {deleteConsequence}
          </DeleteConfirm>
        </>
      )}
    </section>
  );
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const plural = (noun: string) => (noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`);
