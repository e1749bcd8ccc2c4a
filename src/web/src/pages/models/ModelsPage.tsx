import { useState } from 'react';
import { useLocation } from 'react-router';
import { useModels } from '../../api/model-hooks';
import type { Model } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { DataTable } from '../../components/DataTable';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { Pagination } from '../../components/Pagination';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AddModelDrawer } from './AddModelDrawer';
import { CatalogDrawer } from './CatalogDrawer';
import { ImportModelDrawer } from './ImportModelDrawer';
import { modelColumns } from './model-columns';
import type { ModelFilterValues } from './ModelFilters';
import { ModelFilters } from './ModelFilters';

type Opened = 'import' | 'add' | 'catalog' | null;

export function ModelsPage() {
  useDocumentTitle('Models');
  const canManage = useCanOperate();
  const location = useLocation();
  const [filters, setFilters] = useState<ModelFilterValues>({ category: '', q: '' });
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const models = useModels({ ...page, category: filters.category || undefined, q: filters.q || undefined });
  const [opened, setOpened] = useState<Opened>(null);
  // A deleted model's page sends its notice along.
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);

  const saved = (verb: string) => (model: Model) => {
    if (opened !== 'catalog') setOpened(null);
    setNotice(`Model ${model.name} ${verb}.`);
  };
  const open = (which: Opened, label: string, primary = false) => (
    <button type="button" className={primary ? 'btn btn-primary' : 'btn btn-secondary'} onClick={() => setOpened(which)}>
      {primary && <Icon name="plus" />}
      {label}
    </button>
  );

  return (
    <>
      <PageHeader
        title="Models"
        description="The models instances are deployed from: where the weights come from, and how big they are."
        actions={
          canManage && (
            <>
              {open('catalog', 'From catalog')}
              {open('add', 'Add model')}
              {open('import', 'Import from Hugging Face', true)}
            </>
          )
        }
      />
      <section className="panel panel-flush" aria-label="Models">
        {(notice || models.isError) && (
          <div className="panel-section panel-section-top">
            {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
            <ErrorBanner error={models.error} title="Could not load models." />
          </div>
        )}
        <ModelFilters
          value={filters}
          onChange={(next) => {
            setFilters(next);
            setPage((current) => ({ ...current, offset: 0 }));
          }}
        />
        <DataTable
          caption="Models"
          columns={modelColumns}
          rows={models.data?.items}
          rowKey={(model) => model.id}
          loading={models.isPending}
          empty={filters.category || filters.q ? 'No models match these filters.' : 'No models yet.'}
        />
        {models.data && (
          <Pagination
            label="Model pages"
            total={models.data.total}
            limit={page.limit}
            offset={page.offset}
            onChange={setPage}
            disabled={models.isFetching && models.isPlaceholderData}
          />
        )}
      </section>
      {canManage && (
        <>
          <ImportModelDrawer open={opened === 'import'} onClose={() => setOpened(null)} onImported={saved('imported')} />
          <AddModelDrawer open={opened === 'add'} onClose={() => setOpened(null)} onAdded={saved('added')} />
          <CatalogDrawer open={opened === 'catalog'} onClose={() => setOpened(null)} onAdded={saved('added')} />
        </>
      )}
    </>
  );
}
