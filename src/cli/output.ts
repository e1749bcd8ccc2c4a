/** How commands print results: a table for people, JSON for scripts (`--output json`). */
export type OutputFormat = 'table' | 'json';

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

export function renderTable<T>(rows: T[], columns: Array<Column<T>>): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((column) => String(column.value(row) ?? '-')));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => line[index]!.length)));
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index]!)).join('  ').trimEnd();
  return [line(columns.map((column) => column.header.toUpperCase())), ...cells.map(line)].join('\n');
}

export function printResult<T>(format: OutputFormat, data: T | T[], columns: Array<Column<T>>, write: (text: string) => void = (text) => console.log(text)): void {
  if (format === 'json') return write(JSON.stringify(data, null, 2));
  write(renderTable(Array.isArray(data) ? data : [data], columns));
}
