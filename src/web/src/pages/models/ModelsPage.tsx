import { useState } from 'react';
import { useModels } from '../../api/model-hooks';
import type { Model, ModelCategory } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { Icon } from '../../components/Icon';
import { ListPanel } from '../../components/ListPanel';
import { PageHeader } from '../../components/PageHeader';
import { SearchFilters } from '../../components/SearchFilters';
import { useDocumentTitle } from '../../lib/use-document-title';
import { useListFilters } from '../../lib/use-list-filters';
import { useNotice } from '../../lib/use-notice';
import { AddModelDrawer } from './AddModelDrawer';
import { CatalogDrawer } from './CatalogDrawer';
import { ImportModelDrawer } from './ImportModelDrawer';
import { modelColumns } from './model-columns';
import { MODEL_CATEGORIES } from './model-format';

type Opened = 'import' | 'add' | 'catalog' | null;
type ModelFilters = { category: ModelCategory | ''; q: string };

export function ModelsPage() {
  useDocumentTitle('Models');
  const canManage = useCanOperate();
  const { filters, setFilters, filtered, page, setPage } = useListFilters<ModelFilters>({ category: '', q: '' });
  const models = useModels({ ...page, category: filters.category || undefined, q: filters.q || undefined });
  const [opened, setOpened] = useState<Opened>(null);
  // A deleted model's page sends its notice along.
  const notice = useNotice();

  const saved = (verb: string) => (model: Model) => {
    if (opened !== 'catalog') setOpened(null);
    notice.show(`Model ${model.name} ${verb}.`);
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
      <ListPanel
        title="Models"
        list={models}
        errorTitle="Could not load models."
        notice={notice}
        toolbar={
          <SearchFilters
            label="Model filters"
            selects={[{ key: 'category', label: 'Category', allLabel: 'All categories', options: MODEL_CATEGORIES }]}
            search={{ placeholder: 'Name or repository' }}
            value={filters}
            onChange={setFilters}
          />
        }
        columns={modelColumns}
        rowKey={(model) => model.id}
        empty={filtered ? 'No models match these filters.' : 'No models yet.'}
        page={page}
        onPageChange={setPage}
        pagesLabel="Model pages"
      />
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
