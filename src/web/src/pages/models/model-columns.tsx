import { Link } from 'react-router';
import type { Model } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { formatCount } from '../../lib/format';
import { modelSource } from './model-format';

const dash = <span className="muted">—</span>;

export const modelColumns: ReadonlyArray<Column<Model>> = [
  {
    header: 'Name',
    cell: (model) => (
      <Link to={`/models/${model.id}`} className="mono">
        {model.name}
      </Link>
    ),
    className: 'nowrap',
  },
  { header: 'Category', cell: (model) => <Badge>{model.category}</Badge> },
  { header: 'Size', cell: (model) => model.displaySize ?? dash },
  { header: 'Format', cell: (model) => model.format },
  { header: 'Dtype', cell: (model) => model.dtype ?? dash, className: 'mono' },
  { header: 'Context', cell: (model) => (model.contextLength === null ? dash : formatCount(model.contextLength)), className: 'nowrap' },
  { header: 'License', cell: (model) => model.license ?? dash },
  { header: 'Source', cell: (model) => <span title={model.source === 'local' ? 'File on the H-MAS host' : 'Hugging Face'}>{modelSource(model)}</span>, className: 'mono source' },
];
