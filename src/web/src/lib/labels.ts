/** Editable key/value rows (cluster labels, placement match labels) and the map they make. */
export interface LabelRow {
  /** Stable React key: rows can be removed from the middle. */
  id: number;
  key: string;
  value: string;
}

let nextRowId = 1;

export function newLabelRow(key = '', value = ''): LabelRow {
  nextRowId += 1;
  return { id: nextRowId, key, value };
}

export const rowsFromLabels = (labels: Record<string, string>): LabelRow[] => Object.entries(labels).map(([key, value]) => newLabelRow(key, value));

/** The map the API takes; rows left entirely empty are ignored. */
export function labelsFromRows(rows: readonly LabelRow[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (key || row.value.trim()) labels[key] = row.value.trim();
  }
  return labels;
}

/**
 * Per-row messages: what can be told without the server (a value without a key, a key twice),
 * then the server's verdict on a key (`serverIssues`, from keyedIssues). Key and value rules
 * (DNS prefix, 63 characters, …) are the server's.
 */
export function labelRowErrors(rows: readonly LabelRow[], serverIssues: Record<string, string> = {}): Record<number, string> {
  const errors: Record<number, string> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) {
      if (row.value.trim()) errors[row.id] = 'Enter a key for this value.';
      continue;
    }
    if (seen.has(key)) errors[row.id] = `The key "${key}" is used twice.`;
    else if (serverIssues[key]) errors[row.id] = serverIssues[key];
    seen.add(key);
  }
  return errors;
}
