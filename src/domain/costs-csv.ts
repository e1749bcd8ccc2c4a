import type { CostReport, CostRow } from './costs.js';

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 * return) gets a leading apostrophe first. Numbers are written as they are.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const HEADER = ['kind', 'id', 'name', 'detail', 'gpu_hours', 'cost', 'currency', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost_per_million_tokens', 'note'];

function line(row: CostRow, currency: string | null): string {
  const note = [row.costReason, row.costPerMillionTokensReason].filter(Boolean).join(' ');
  return [row.kind, row.id, row.name, row.detail, row.gpuHours, row.cost, currency, row.tokens.prompt, row.tokens.completion, row.tokens.total, row.costPerMillionTokens, note || null].map(csvCell).join(',');
}

/** The report as CSV: a header row, one line per row, then the total; CRLF line ends (RFC 4180). */
export function costReportCsv(report: CostReport): string {
  return [HEADER.join(','), ...report.rows.map((row) => line(row, report.currency)), line(report.total, report.currency)].map((text) => `${text}\r\n`).join('');
}

/** The download's file name: `costs-<group>-<from day>-<to day>.csv`. */
export const costReportFileName = (report: Pick<CostReport, 'groupBy' | 'from' | 'to'>): string => `costs-${report.groupBy}-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`;
