import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { costCsvUrl, useCostReport } from '../../api/cost-hooks';
import type { CostRow } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PanelHeader } from '../../components/PanelHeader';
import { formatDateTime } from '../../lib/format';
import { costColumns } from './cost-columns';
import { COST_GROUPS, COST_RANGES, costGroup, costRange, rangeInstants } from './cost-format';

/**
 * The cost report: a range (7, 30, 90 days or custom days), a grouping (deployment, API key,
 * cluster), the table with its total, and the same report as a CSV download. All in the URL.
 */
export function CostReportPanel() {
  const [params, setParams] = useSearchParams();
  const range = costRange(params.get('range'));
  const groupBy = costGroup(params.get('groupBy'));
  const custom = { from: params.get('from') ?? undefined, to: params.get('to') ?? undefined };
  const [draft, setDraft] = useState(custom);
  // A preset's end is fixed when it is chosen (or the URL changes), so the query key holds still.
  const version = params.toString();
  const instants = useMemo(() => rangeInstants(range, custom, Date.now()), [version]);
  const query = { groupBy, ...instants };
  const report = useCostReport(query);
  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  };
  const data = report.data;
  const rows: CostRow[] | undefined = data ? [...data.rows, ...(data.rows.length > 0 ? [data.total] : [])] : report.isError ? [] : undefined;

  return (
    <section className="panel panel-flush" aria-labelledby="cost-report-title">
      <PanelHeader
        titleId="cost-report-title"
        title="Cost report"
        description="GPU time × the price of its GPU model, and the tokens served. Per API key, a deployment's cost is shared by its callers' share of its tokens."
        actions={
          <a className="btn btn-secondary" href={costCsvUrl(query)} download>
            Download CSV
          </a>
        }
      />
      <div className="panel-section stack-tight">
        <div className="cost-controls">
          <div className="range-presets" role="group" aria-label="Time range">
            {COST_RANGES.map((preset) => (
              <button key={preset.key} type="button" className="btn btn-secondary btn-small" aria-pressed={range === preset.key} onClick={() => set({ range: preset.key, from: undefined, to: undefined })}>
                {preset.label}
              </button>
            ))}
            <button type="button" className="btn btn-secondary btn-small" aria-pressed={range === 'custom'} onClick={() => set({ range: 'custom' })}>
              Custom
            </button>
          </div>
          <div className="range-presets" role="group" aria-label="Group by">
            <span className="muted">Group by</span>
            {COST_GROUPS.map((group) => (
              <button key={group.key} type="button" className="btn btn-secondary btn-small" aria-pressed={groupBy === group.key} onClick={() => set({ groupBy: group.key })}>
                {group.label}
              </button>
            ))}
          </div>
        </div>
        {range === 'custom' && (
          <form
            className="cost-custom-range"
            aria-label="Custom range"
            onSubmit={(event) => {
              event.preventDefault();
              set({ from: draft.from, to: draft.to });
            }}
          >
            <label className="field-label" htmlFor="cost-from">
              From
            </label>
            <input id="cost-from" className="input input-compact" type="date" value={draft.from ?? ''} onChange={(event) => setDraft({ ...draft, from: event.target.value || undefined })} />
            <label className="field-label" htmlFor="cost-to">
              To
            </label>
            <input id="cost-to" className="input input-compact" type="date" value={draft.to ?? ''} onChange={(event) => setDraft({ ...draft, to: event.target.value || undefined })} />
            <button type="submit" className="btn btn-primary btn-small">
              Apply
            </button>
          </form>
        )}
        {data && (
          <p className="muted">
            {formatDateTime(data.from)} – {formatDateTime(data.to)}
            {data.currency ? ` · prices in ${data.currency}` : ' · no GPU price set yet'}
          </p>
        )}
        <ErrorBanner error={report.error} title="Could not load the cost report." />
        {data && data.unpricedGpuModels.length > 0 && (
          <div className="alert alert-warning" role="status">
            <strong className="alert-title">Some GPU time has no price.</strong>
            <span>
              Set a price per GPU-hour for {data.unpricedGpuModels.map((model) => (model === '' ? 'GPUs of an unnamed model' : model)).join(', ')} under GPU prices below; until then their cost shows as —.
            </span>
          </div>
        )}
        {data?.notes.map((note) => (
          <div key={note} className="alert alert-info" role="status">
            <span>{note}</span>
          </div>
        ))}
      </div>
      <DataTable
        caption="Costs"
        dense
        columns={costColumns({ groupBy, currency: data?.currency ?? null })}
        rows={rows}
        rowKey={(row) => (row === data?.total ? 'total' : `${row.kind}:${row.id ?? row.name}`)}
        rowClassName={(row) => (row === data?.total ? 'row-total' : undefined)}
        loading={report.isPending}
        empty="No GPU time and no tokens in this range."
      />
    </section>
  );
}
