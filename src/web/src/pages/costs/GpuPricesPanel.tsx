import { useState } from 'react';
import { useGpuPrices, useSaveGpuPrice } from '../../api/cost-hooks';
import type { GpuPriceListItem } from '../../api/types';
import { useIsAdmin } from '../../auth/current-user';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PanelHeader } from '../../components/PanelHeader';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from './cost-format';

interface Draft {
  gpuModel: string;
  price: string;
  currency: string;
}

/**
 * Price per GPU-hour of each GPU model the clusters have (or had): blank until an admin sets
 * one, inline in its row. One currency for all of them.
 */
export function GpuPricesPanel() {
  const isAdmin = useIsAdmin();
  const prices = useGpuPrices();
  const save = useSaveGpuPrice();
  const [draft, setDraft] = useState<Draft | null>(null);
  const currency = prices.data?.currency ?? null;
  const editing = (item: GpuPriceListItem) => draft?.gpuModel === item.gpuModel;
  const edit = (item: GpuPriceListItem) => {
    save.reset();
    setDraft({ gpuModel: item.gpuModel, price: item.pricePerGpuHour === null ? '' : String(item.pricePerGpuHour), currency: item.currency ?? currency ?? 'USD' });
  };
  const submit = () => {
    if (!draft) return;
    save.mutate({ gpuModel: draft.gpuModel, price: { pricePerGpuHour: Number(draft.price), currency: draft.currency.trim().toUpperCase() } }, { onSuccess: () => setDraft(null) });
  };

  const columns: ReadonlyArray<Column<GpuPriceListItem>> = [
    { header: 'GPU model', cell: (item) => item.gpuModel, className: 'mono' },
    { header: 'In clusters', cell: (item) => (item.clusters.length > 0 ? `${item.clusters.join(', ')} (${item.gpus} GPUs)` : 'none now') },
    {
      header: 'Price per GPU-hour',
      className: 'num',
      cell: (item) =>
        editing(item) && draft ? (
          <span className="price-editor">
            <input
              className="input input-compact"
              type="number"
              min="0"
              step="any"
              inputMode="decimal"
              aria-label={`Price per GPU-hour of ${item.gpuModel}`}
              value={draft.price}
              onChange={(event) => setDraft({ ...draft, price: event.target.value })}
              onKeyDown={(event) => event.key === 'Enter' && submit()}
              autoFocus
            />
            <input
              className="input input-compact price-currency"
              aria-label={`Currency of ${item.gpuModel}`}
              maxLength={3}
              value={draft.currency}
              onChange={(event) => setDraft({ ...draft, currency: event.target.value })}
              onKeyDown={(event) => event.key === 'Enter' && submit()}
            />
          </span>
        ) : item.pricePerGpuHour === null ? (
          <span className="muted">not set</span>
        ) : (
          formatMoney(item.pricePerGpuHour, item.currency)
        ),
    },
    { header: 'Updated', cell: (item) => (item.updatedAt ? `${formatDateTime(item.updatedAt)} by ${item.updatedBy ?? '?'}` : '—'), className: 'nowrap' },
  ];

  return (
    <section className="panel panel-flush" aria-labelledby="gpu-prices-title">
      <PanelHeader
        titleId="gpu-prices-title"
        title="GPU prices"
        description={`What one GPU-hour of each model costs${currency ? ` (in ${currency}: one currency for all)` : ''}. Blank by default: GPU time of a model without a price has no cost.${isAdmin ? '' : ' Admins set them.'}`}
      />
      {(prices.error || save.error) && (
        <div className="panel-section">
          <ErrorBanner error={prices.error} title="Could not load the GPU prices." />
          <ErrorBanner error={save.error} title="Could not save the price." />
        </div>
      )}
      <DataTable
        caption="GPU prices"
        dense
        columns={columns}
        rows={prices.data?.items ?? (prices.isError ? [] : undefined)}
        rowKey={(item) => item.gpuModel}
        loading={prices.isPending}
        empty="No GPU models yet: the clusters' inventories name none."
        actions={
          isAdmin
            ? (item) =>
                editing(item) ? (
                  <>
                    <button type="button" className="btn btn-primary btn-small" onClick={submit} disabled={save.isPending} aria-label={`Save price of ${item.gpuModel}`}>
                      {save.isPending ? 'Saving…' : 'Save'}
                    </button>
                    <button type="button" className="btn btn-ghost btn-small" onClick={() => setDraft(null)}>
                      Cancel
                    </button>
                  </>
                ) : (
                  <>
                    <button type="button" className="btn btn-secondary btn-small" onClick={() => edit(item)} aria-label={`Edit price of ${item.gpuModel}`}>
                      Edit
                    </button>
                    {item.pricePerGpuHour !== null && (
                      <button type="button" className="btn btn-danger-text btn-small" onClick={() => save.mutate({ gpuModel: item.gpuModel, price: null })} aria-label={`Remove price of ${item.gpuModel}`}>
                        Remove
                      </button>
                    )}
                  </>
                )
            : undefined
        }
      />
    </section>
  );
}
