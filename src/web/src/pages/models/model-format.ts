import type { Model, ModelCategory, ModelDraft } from '../../api/types';
import { formatCount } from '../../lib/format';

const CATEGORY_HINTS: Record<ModelCategory, string> = {
  LLM: 'Chat and text generation',
  Vision: 'Images and text in, text out',
  Code: 'Code completion and chat',
  Embedding: 'Text in, vectors out',
};

export const MODEL_CATEGORIES = Object.keys(CATEGORY_HINTS) as ModelCategory[];
export const categoryOptions = MODEL_CATEGORIES.map((category) => ({ value: category, label: `${category} — ${CATEGORY_HINTS[category]}` }));

/** "0.494 B (494,032,768 parameters)": billions to three significant digits, then the exact count. */
export function formatSize(model: Pick<Model, 'sizeB' | 'parameterCount'>): string | null {
  if (model.sizeB === null) return null;
  const params = model.parameterCount !== null ? ` (${formatCount(model.parameterCount)} parameters)` : '';
  return `${Number(model.sizeB.toPrecision(3))} B${params}`;
}

/** Where the weights come from: repo@revision[/file], or the host path. */
export function modelSource(model: Pick<Model, 'hfRepoId' | 'revision' | 'hfFile'> & { localPath?: string | null }): string {
  if (model.localPath) return model.localPath;
  const revision = model.revision && model.revision !== 'main' ? `@${model.revision}` : '';
  const file = model.hfFile ? ` · ${model.hfFile}` : '';
  return `${model.hfRepoId ?? ''}${revision}${file}`;
}

type ModelFields = Pick<
  ModelDraft,
  'name' | 'category' | 'sizeB' | 'parameterCount' | 'displaySize' | 'format' | 'dtype' | 'contextLength' | 'license' | 'recommendation' | 'description'
>;

/**
 * The registry fields of a model (or of an import preview: the fields it fills) and the GPU
 * recommendation for 80 GiB GPUs.
 */
export function modelFacts(draft: ModelFields): Array<readonly [string, string | null]> {
  return [
    ['Name', draft.name],
    ['Category', draft.category],
    ['Size', formatSize(draft)],
    ['Display size', draft.displaySize],
    ['Format', draft.format],
    ['Dtype', draft.dtype],
    ['Context length', draft.contextLength === null ? null : `${formatCount(draft.contextLength)} tokens`],
    ['License', draft.license],
    ['Recommendation', draft.recommendation?.message ?? 'none: the size is unknown'],
    ['Description', draft.description || null],
  ];
}
