import { useState } from 'react';
import { useModelFit } from '../../api/model-hooks';
import type { FitQuery, FitResult, Model } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Facts } from '../../components/Facts';
import { TextField } from '../../components/Field';
import { TitledPanel } from '../../components/TitledPanel';
import { formatCount } from '../../lib/format';
import { numberProblems, optionalNumber } from '../../lib/form-values';

type Input = Record<'gpuMemoryGiB' | 'freeGpus' | 'replicas' | 'contextLength' | 'concurrency', string>;
const DEFAULTS: Input = { gpuMemoryGiB: '80', freeGpus: '8', replicas: '1', contextLength: '', concurrency: '' };
const FREE_GPUS = /^\d{1,4}(\s*,\s*\d{1,4})*$/;

function toQuery(input: Input): { query: FitQuery | null; problems: Partial<Record<keyof Input, string>> } {
  const values = {
    gpuMemoryGiB: optionalNumber(input.gpuMemoryGiB),
    replicas: optionalNumber(input.replicas),
    contextLength: optionalNumber(input.contextLength),
    concurrency: optionalNumber(input.concurrency),
  };
  const problems: Partial<Record<keyof Input, string>> = numberProblems(values, {
    gpuMemoryGiB: { min: 1, max: 4096 },
    replicas: { integer: true, min: 1, max: 1000 },
    contextLength: { integer: true, min: 1 },
    concurrency: { integer: true, min: 1 },
  });
  if (values.gpuMemoryGiB === undefined) problems.gpuMemoryGiB = 'Enter the memory of one GPU.';
  if (!FREE_GPUS.test(input.freeGpus.trim())) problems.freeGpus = 'Enter free GPUs per node: a number, or numbers separated by commas (8,4,4).';
  if (Object.keys(problems).length > 0) return { query: null, problems };
  return {
    query: {
      gpuMemoryGiB: values.gpuMemoryGiB!,
      freeGpus: input.freeGpus.replace(/\s+/g, ''),
      replicas: values.replicas ?? 1,
      contextLength: values.contextLength,
      concurrency: values.concurrency,
    },
    problems,
  };
}

/** Does the model fit on GPUs like these? Weights, KV cache, GPUs per replica and placement. */
export function FitPanel({ model }: { model: Model }) {
  const [input, setInput] = useState(DEFAULTS);
  const [problems, setProblems] = useState<Partial<Record<keyof Input, string>>>({});
  // Models of known size answer at once with the defaults; others only once asked.
  const [query, setQuery] = useState<FitQuery | null>(() => (model.recommendation ? toQuery(DEFAULTS).query : null));
  const fit = useModelFit(model.id, query);
  const field = (key: keyof Input, label: string, hint: string, placeholder?: string) => (
    <TextField label={label} hint={hint} placeholder={placeholder} error={problems[key]} value={input[key]} onChange={(value) => setInput((current) => ({ ...current, [key]: value }))} inputMode="decimal" />
  );

  return (
    <TitledPanel title="Resource fit">
      <p className="muted panel-intro">How many GPUs one replica needs, and whether the replicas fit on the free GPUs of your nodes.</p>
      <form
        className="fit-form"
        aria-label="Resource fit"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const next = toQuery(input);
          setProblems(next.problems);
          if (next.query) setQuery(next.query);
        }}
      >
        {field('gpuMemoryGiB', 'GPU memory (GiB)', 'Of one GPU: 80 for H100/A100 80 GB.')}
        {field('freeGpus', 'Free GPUs per node', 'One number per node: 8, or 8,4,4.')}
        {field('replicas', 'Replicas', 'Each on one node.')}
        {field('contextLength', 'Context length', 'Tokens per sequence.', model.contextLength ? `default ${formatCount(Math.min(model.contextLength, 8192))}` : 'default 4,096')}
        {field('concurrency', 'Concurrency', 'Sequences at the same time.', 'default 4')}
        <div className="fit-actions">
          <button type="submit" className="btn btn-primary" disabled={fit.isFetching}>
            Check fit
          </button>
        </div>
      </form>
      <ErrorBanner error={fit.error} />
      {fit.data && !fit.isError && <FitResultView result={fit.data} />}
    </TitledPanel>
  );
}

function FitResultView({ result }: { result: FitResult }) {
  const rec = result.recommendation;
  return (
    <section className="fit-result" aria-label="Fit result" aria-live="polite">
      <p className="fit-verdict">
        <Badge tone={result.fits ? 'ok' : 'error'}>{result.fits ? 'fits' : 'does not fit'}</Badge> {result.message}
      </p>
      <Facts
        facts={[
          ['Weights', `${rec.weightsGiB} GiB (${rec.assumptions.dtype})`],
          ['KV cache', `${rec.kvCacheGiB} GiB${rec.kvCacheBasis === 'estimate' ? ' (estimated)' : ''}`],
          ['GPUs per replica', result.gpusPerReplica ?? 'too big for these GPUs'],
          ['Tensor parallel size', rec.tensorParallelSize ?? '—'],
          ['Memory per GPU', rec.memoryPerGpuGiB === null ? null : `${rec.memoryPerGpuGiB} GiB`],
          ['GPUs required', result.gpusRequired ?? '—'],
          ['Free GPUs', `${result.freeGpus} (largest node ${result.largestNodeFreeGpus})`],
          ['Assumed', `${formatCount(rec.assumptions.contextLength)} tokens × ${rec.assumptions.concurrency} sequences`],
        ]}
      />
      {result.placement.length > 0 && (
        <ul className="placement" aria-label="Placement per node">
          {result.placement.map((entry) => (
            <li key={entry.node}>
              Node {entry.node + 1}: {entry.replicas} {entry.replicas === 1 ? 'replica' : 'replicas'}, {entry.gpus} GPUs
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
