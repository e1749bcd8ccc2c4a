import { useState } from 'react';
import { useAddPreset, useModelPresets } from '../../api/model-hooks';
import type { Model, ModelCategory } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Drawer } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { SelectField } from '../../components/Field';
import { MODEL_CATEGORIES } from './model-format';

export function CatalogDrawer({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: (model: Model) => void }) {
  return (
    <Drawer open={open} title="Add from catalog" description="Current open models with their metadata filled in. Gated repositories need HF_TOKEN on the server to download." onClose={onClose}>
      <Catalog onClose={onClose} onAdded={onAdded} />
    </Drawer>
  );
}

function Catalog({ onClose, onAdded }: { onClose: () => void; onAdded: (model: Model) => void }) {
  const presets = useModelPresets();
  const add = useAddPreset();
  const [category, setCategory] = useState<ModelCategory | ''>('');
  const [added, setAdded] = useState<Record<string, string>>({});
  const items = presets.data?.filter((preset) => !category || preset.category === category);

  return (
    <>
      <div className="form">
        <SelectField<ModelCategory | ''>
          label="Category"
          value={category}
          options={[{ value: '', label: 'All categories' }, ...MODEL_CATEGORIES.map((value) => ({ value, label: value }))]}
          onChange={setCategory}
        />
        {presets.isPending && <p className="muted">Loading the catalog…</p>}
        <ErrorBanner error={presets.error} title="Could not load the catalog." />
        <ErrorBanner error={add.error} title={add.variables ? `Could not add ${add.variables}.` : undefined} />
        <ul className="catalog" aria-label="Model catalog">
          {items?.map((preset) => (
            <li key={preset.id} className="catalog-item">
              <div className="catalog-head">
                <strong>{preset.name}</strong>
                <Badge>{preset.category}</Badge>
                <Badge tone="brand">{preset.displaySize}</Badge>
                {preset.gated && <Badge tone="warning">gated</Badge>}
              </div>
              <p className="muted">{preset.description}</p>
              <p className="field-hint">
                {preset.hfRepoId} · {preset.license} · {preset.recommendation ? `${preset.recommendation.gpuCount ?? '?'} × 80 GiB GPU` : 'size unknown'}
              </p>
              <div>
                {added[preset.id] ? (
                  <span className="badge badge-ok" role="status">
                    Added as {added[preset.id]}
                  </span>
                ) : (
                  <button
                    type="button"
                    className="btn btn-secondary btn-small"
                    aria-label={`Add ${preset.name}`}
                    disabled={add.isPending}
                    onClick={() =>
                      add.mutate(preset.id, {
                        onSuccess: (model) => {
                          setAdded((current) => ({ ...current, [preset.id]: model.name }));
                          onAdded(model);
                        },
                      })
                    }
                  >
                    Add
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      </div>
      <div className="drawer-actions">
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          Done
        </button>
      </div>
    </>
  );
}
