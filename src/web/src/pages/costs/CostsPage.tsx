import { PageHeader } from '../../components/PageHeader';
import { useDocumentTitle } from '../../lib/use-document-title';
import { CostReportPanel } from './CostReportPanel';
import { GpuPricesPanel } from './GpuPricesPanel';

/** Costs: the report over a range, grouped, with its CSV; and the GPU prices it is computed with. */
export function CostsPage() {
  useDocumentTitle('Costs');
  return (
    <>
      <PageHeader
        title="Costs"
        description="GPU-hours each deployment used (counted every minute from its ready replicas), what they cost at your GPU prices, and the cost per million tokens served — per deployment, API key or cluster."
      />
      <div className="stack">
        <CostReportPanel />
        <GpuPricesPanel />
      </div>
    </>
  );
}
