import type { ReactNode } from 'react';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

export interface DataTableProps<T> {
  /** For screen readers (the table's caption). */
  caption: string;
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[] | undefined;
  rowKey: (row: T) => string;
  loading?: boolean;
  /** Shown when there are no rows. */
  empty: ReactNode;
  /** Buttons at the end of each row (Edit, Delete, …); the column exists only when given. */
  actions?: (row: T) => ReactNode;
  dense?: boolean;
  /** A class for a row that stands out (e.g. a Warning event). */
  rowClassName?: (row: T) => string | undefined;
  /** Opens a row (e.g. its details). Mouse only: give the row a button for the keyboard too. */
  onRowClick?: (row: T) => void;
}

/** A table of items: header row, one row per item, a loading and an empty line. */
export function DataTable<T>({ caption, columns, rows, rowKey, loading = false, empty, actions, dense = false, rowClassName, onRowClick }: DataTableProps<T>) {
  const span = columns.length + (actions ? 1 : 0);
  const line = (content: ReactNode) => (
    <tr>
      <td colSpan={span} className="table-empty">
        {content}
      </td>
    </tr>
  );
  return (
    <div className="table-wrap">
      <table className={dense ? 'table table-dense' : 'table'}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.header}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {loading && rows === undefined && line('Loading…')}
          {rows?.length === 0 && line(empty)}
          {rows?.map((row) => (
            <tr
              key={rowKey(row)}
              className={[rowClassName?.(row), onRowClick ? 'row-clickable' : ''].filter(Boolean).join(' ') || undefined}
              onClick={onRowClick ? () => onRowClick(row) : undefined}
            >
              {columns.map((column) => (
                <td key={column.header} className={column.className}>
                  {column.cell(row)}
                </td>
              ))}
              {actions && <td className="table-actions">{actions(row)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
