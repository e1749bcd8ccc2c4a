import { useState } from 'react';
import { useSaveModel } from '../../api/model-hooks';
import type { CreateModelRequest, Model, ModelCategory } from '../../api/types';
import { Drawer, DrawerForm } from '../../components/Drawer';
import { SelectField, TextAreaField, TextField } from '../../components/Field';
import { splitFormError } from '../../lib/form-errors';
import { numberProblems, optionalNumber } from '../../lib/form-values';
import { categoryOptions } from './model-format';

type Source = 'local' | 'manual';
const FIELDS = ['localPath', 'hfRepoId', 'revision', 'name', 'category', 'sizeB', 'displaySize', 'description', 'license', 'dtype', 'contextLength'] as const;
type Field = (typeof FIELDS)[number];
const CODE_FIELDS = { MODEL_FILE_NOT_FOUND: 'localPath', MODEL_FILE_UNREADABLE: 'localPath', MODEL_EXISTS: 'name' } as const;

const EMPTY: Record<Field, string> = {
  localPath: '',
  hfRepoId: '',
  revision: '',
  name: '',
  category: 'LLM',
  sizeB: '',
  displaySize: '',
  description: '',
  license: '',
  dtype: '',
  contextLength: '',
};

export function AddModelDrawer({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: (model: Model) => void }) {
  return (
    <Drawer open={open} title="Add model" description="A GGUF file on the H-MAS host (its header fills the fields), or a Hugging Face repository described by hand." onClose={onClose}>
      <AddModelForm onClose={onClose} onAdded={onAdded} />
    </Drawer>
  );
}

/** The request: only what was filled in, for the chosen source. */
function requestFor(source: Source, form: Record<Field, string>): CreateModelRequest {
  const text = (field: Field) => (form[field].trim() ? { [field]: form[field].trim() } : {});
  const sizeB = optionalNumber(form.sizeB);
  const contextLength = optionalNumber(form.contextLength);
  if (source === 'local') return { localPath: form.localPath.trim(), ...text('name') };
  return {
    hfRepoId: form.hfRepoId.trim(),
    category: form.category as ModelCategory,
    ...text('revision'),
    ...text('name'),
    ...text('displaySize'),
    ...text('description'),
    ...text('license'),
    ...text('dtype'),
    ...(sizeB !== undefined ? { sizeB } : {}),
    ...(contextLength !== undefined ? { contextLength } : {}),
  };
}

function AddModelForm({ onClose, onAdded }: { onClose: () => void; onAdded: (model: Model) => void }) {
  const save = useSaveModel();
  const [source, setSource] = useState<Source>('local');
  const [form, setForm] = useState(EMPTY);
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const errors = splitFormError(save.error, FIELDS, CODE_FIELDS);
  const error = (field: Field) => problems[field] ?? errors.fields[field];
  const field = (name: Field, label: string, hint?: string, extra: { placeholder?: string; inputMode?: 'decimal' | 'numeric' } = {}) => (
    <TextField label={label} hint={hint} error={error(name)} value={form[name]} onChange={(value) => setForm((f) => ({ ...f, [name]: value }))} spellCheck={false} {...extra} />
  );

  const submit = () => {
    const found: Partial<Record<Field, string>> = numberProblems(
      { sizeB: optionalNumber(form.sizeB), contextLength: optionalNumber(form.contextLength) },
      { sizeB: { min: 0.001 }, contextLength: { integer: true, min: 1 } },
    );
    if (source === 'local' && !form.localPath.trim()) found.localPath = 'Enter the path of a .gguf file on the H-MAS host.';
    if (source === 'manual' && !form.hfRepoId.trim()) found.hfRepoId = 'Enter the repository id, e.g. Qwen/Qwen2.5-7B-Instruct.';
    setProblems(found);
    if (Object.keys(found).length === 0) save.mutate({ create: requestFor(source, form) }, { onSuccess: onAdded });
  };

  return (
    <DrawerForm onSubmit={submit} error={errors.banner} submitLabel="Add model" pendingLabel="Adding…" pending={save.isPending} onCancel={onClose}>
      <SelectField<Source>
        label="Source"
        value={source}
        options={[
          { value: 'local', label: 'GGUF file on the H-MAS host' },
          { value: 'manual', label: 'Hugging Face repository, fields by hand' },
        ]}
        onChange={(next) => {
          setSource(next);
          setProblems({});
          save.reset();
        }}
      />
      {source === 'local' ? (
        <>
          {field('localPath', 'File path', 'Absolute path of a .gguf file; its header fills name, size, dtype and context.', { placeholder: '/models/qwen2.5-0.5b-instruct-q4_k_m.gguf' })}
          {field('name', 'Name', 'Optional; default: from the file.')}
        </>
      ) : (
        <>
          {field('hfRepoId', 'Repository', 'organization/name on the Hub; nothing is fetched.', { placeholder: 'Qwen/Qwen2.5-7B-Instruct' })}
          {field('revision', 'Revision', 'Optional; default: main.')}
          {field('name', 'Name', 'Optional; default: the repository’s name.')}
          <SelectField<ModelCategory> label="Category" value={form.category as ModelCategory} options={categoryOptions} onChange={(category) => setForm((f) => ({ ...f, category }))} />
          {field('sizeB', 'Size (billions of parameters)', 'e.g. 7.6; the GPU recommendation needs it.', { inputMode: 'decimal' })}
          {field('displaySize', 'Display size', 'Optional; default: from the size, e.g. 7B.')}
          {field('dtype', 'Dtype', 'e.g. bfloat16, float16, float8, or a GGUF quantization such as Q4_K_M.')}
          {field('contextLength', 'Context length', 'Tokens.', { inputMode: 'numeric' })}
          {field('license', 'License', 'e.g. apache-2.0.')}
          <TextAreaField label="Description" error={error('description')} rows={3} value={form.description} onChange={(description) => setForm((f) => ({ ...f, description }))} />
        </>
      )}
    </DrawerForm>
  );
}
