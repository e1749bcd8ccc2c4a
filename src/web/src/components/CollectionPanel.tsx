import type { UseMutationResult, UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useState } from 'react';
import type { Page } from '../api/types';
import { useCanOperate } from '../auth/current-user';
import { useNotice } from '../lib/use-notice';
import type { Column } from './DataTable';
import { DeleteConfirm } from './DeleteConfirm';
import { Drawer } from './Drawer';
import { AddButton, RowButton } from './ListButtons';
import type { PageWindow } from './ListPanel';
import { ListPanel } from './ListPanel';

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
  page: PageWindow;
  onPageChange: (page: PageWindow) => void;
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
  const canManage = useCanOperate();
  const [drawerState, setDrawerState] = useState<DrawerState<T>>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  const notice = useNotice();

  const actions = (row: T) => {
    if (readOnly?.(row)) return <RowButton action="Copy" row={row.name} onClick={() => setDrawerState({ editing: null, template: row })} />;
    return (
      <>
        <RowButton action="Edit" row={row.name} onClick={() => setDrawerState({ editing: row, template: null })} />
        <RowButton action="Delete" row={row.name} danger onClick={() => setDeleting(row)} />
      </>
    );
  };

  return (
    <>
      <ListPanel
        title={title}
        header={{
          description: canManage ? description : `${description} Only operators and admins can change them.`,
          actions: canManage && <AddButton onClick={() => setDrawerState({ editing: null, template: null })}>New {noun}</AddButton>,
        }}
        list={list}
        errorTitle={`Could not load the ${plural(noun)}.`}
        notice={notice}
        toolbar={toolbar}
        columns={columns}
        rowKey={(row) => row.id}
        empty={`No ${plural(noun)} yet.`}
        actions={canManage ? actions : undefined}
        page={page}
        onPageChange={onPageChange}
        pagesLabel={`${title} pages`}
      />
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
                  notice.show(`${capitalize(noun)} ${saved.name} ${drawerState.editing ? 'saved' : 'created'}.`);
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
              if (deletedName) notice.show(`${capitalize(noun)} ${deletedName} deleted.`);
            }}
          >
            {deleteConsequence}
          </DeleteConfirm>
        </>
      )}
    </>
  );
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const plural = (noun: string) => (noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`);
