import type { CostReport, CostRow } from '../../api/types';
import type { Column } from '../../components/DataTable';
import { formatCount } from '../../lib/format';
import { formatGpuHours, formatMoney } from './cost-format';

const FIRST_HEADER = { deployment: 'Deployment', apiKey: 'API key', cluster: 'Cluster' } as const;

/** A value, or a dash whose tooltip says why there is none. */
function withReason(text: string, reason: string | null) {
  return reason && text === '—' ? <span title={reason}>— <span className="visually-hidden">({reason})</span></span> : text;
}

/** The report's columns: what the row is, GPU time, cost, tokens and cost per million tokens. */
export function costColumns(report: Pick<CostReport, 'groupBy' | 'currency'>): ReadonlyArray<Column<CostRow>> {
  return [
    {
      header: FIRST_HEADER[report.groupBy],
      cell: (row) => (
        <span className="cell-stack">
          <span className={row.name === 'Total' && row.id === null ? 'cost-total-name' : undefined}>{row.name}</span>
          {row.detail && <span className="cell-sub">{row.detail}</span>}
        </span>
      ),
    },
    { header: 'GPU-hours', cell: (row) => formatGpuHours(row.gpuHours), className: 'num cost-num' },
    { header: 'Cost', cell: (row) => withReason(formatMoney(row.cost, report.currency), row.costReason), className: 'num cost-num' },
    { header: 'Prompt tokens', cell: (row) => formatCount(row.tokens.prompt), className: 'num cost-num' },
    { header: 'Completion tokens', cell: (row) => formatCount(row.tokens.completion), className: 'num cost-num' },
    { header: 'Total tokens', cell: (row) => formatCount(row.tokens.total), className: 'num cost-num' },
    { header: 'Cost / 1M tokens', cell: (row) => withReason(formatMoney(row.costPerMillionTokens, report.currency), row.costPerMillionTokensReason), className: 'num cost-num' },
  ];
}
