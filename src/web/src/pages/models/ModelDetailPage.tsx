import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useDeleteModel, useModel } from '../../api/model-hooks';
import type { Model } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { DeleteConfirm } from '../../components/DeleteConfirm';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Facts } from '../../components/Facts';
import { PageHeader } from '../../components/PageHeader';
import { TitledPanel } from '../../components/TitledPanel';
import { formatBytes, formatDateTime } from '../../lib/format';
import { useDocumentTitle } from '../../lib/use-document-title';
import { FitPanel } from './FitPanel';
import { modelFacts, modelSource } from './model-format';

export function ModelDetailPage() {
  const { id = '' } = useParams();
  const model = useModel(id);
  useDocumentTitle(model.data?.name ?? 'Model', 'Models');
  return (
    <>
      <p className="breadcrumb">
        <Link to="/models">Models</Link>
      </p>
      {model.isPending && (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Loading model…
        </p>
      )}
      {model.isError && <ErrorBanner error={model.error} title="Could not load the model." />}
      {model.data && <ModelDetail model={model.data} />}
    </>
  );
}

function ModelDetail({ model }: { model: Model }) {
  const canManage = useCanOperate();
  const navigate = useNavigate();
  const remove = useDeleteModel();
  const [deleting, setDeleting] = useState(false);
  return (
    <>
      <PageHeader
        title={model.name}
        description={<span className="mono">{modelSource(model)}</span>}
        actions={
          canManage && (
            <button type="button" className="btn btn-danger" onClick={() => setDeleting(true)}>
              Delete
            </button>
          )
        }
      />
      <div className="stack">
        <TitledPanel title="Model">
          <Facts
            facts={[
              ...modelFacts(model),
              ['Source', model.source === 'local' ? 'file on the H-MAS host' : 'Hugging Face'],
              model.weightBytes !== null && ['Weights', formatBytes(model.weightBytes)],
              model.presetId !== null && ['From catalog', model.presetId],
              ['Registered', formatDateTime(model.createdAt)],
            ]}
          />
        </TitledPanel>
        <FitPanel model={model} />
      </div>
      {canManage && (
        <DeleteConfirm
          target={deleting ? model : null}
          noun="model"
          nameOf={(target) => target.name}
          idOf={(target) => target.id}
          remove={remove}
          onClose={(deletedName) => {
            setDeleting(false);
            if (deletedName) navigate('/models', { state: { notice: `Model ${deletedName} deleted.` } });
          }}
        >
          <p>H-MAS forgets the model. Its files, on the Hub or on the host, are not touched.</p>
        </DeleteConfirm>
      )}
    </>
  );
}
