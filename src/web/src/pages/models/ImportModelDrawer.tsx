import { useState } from 'react';
import { useImportModel, useImportPreview } from '../../api/model-hooks';
import type { ImportModelRequest, Model } from '../../api/types';
import { Drawer, DrawerForm } from '../../components/Drawer';
import { Facts } from '../../components/Facts';
import { TextField } from '../../components/Field';
import { splitFormError } from '../../lib/form-errors';
import { useReveal } from '../../lib/use-reveal';
import { modelFacts } from './model-format';

const FIELDS = ['repoId', 'revision', 'hfFile', 'name'] as const;
const CODE_FIELDS = { HF_REPO_NOT_FOUND: 'repoId', HF_ACCESS_DENIED: 'repoId', MODEL_EXISTS: 'name' } as const;

export function ImportModelDrawer({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: (model: Model) => void }) {
  return (
    <Drawer
      open={open}
      title="Import from Hugging Face"
      description="H-MAS reads the repository’s metadata and fills the model’s fields. Preview them first; nothing is saved until you import."
      onClose={onClose}
    >
      <ImportModelForm onClose={onClose} onImported={onImported} />
    </Drawer>
  );
}

function ImportModelForm({ onClose, onImported }: { onClose: () => void; onImported: (model: Model) => void }) {
  const preview = useImportPreview();
  const save = useImportModel();
  const [input, setInput] = useState({ repoId: '', revision: '', hfFile: '', name: '' });
  const [missing, setMissing] = useState<string | undefined>();
  const previewRef = useReveal<HTMLElement>(preview.data);

  const body: ImportModelRequest = {
    repoId: input.repoId.trim(),
    ...(input.revision.trim() ? { revision: input.revision.trim() } : {}),
    ...(input.hfFile.trim() ? { hfFile: input.hfFile.trim() } : {}),
    ...(input.name.trim() ? { name: input.name.trim() } : {}),
  };
  const errors = splitFormError(save.error ?? preview.error, FIELDS, CODE_FIELDS);
  const set = (key: keyof typeof input) => (value: string) => {
    setInput((current) => ({ ...current, [key]: value }));
    // A preview is for the repo it was asked for.
    preview.reset();
    save.reset();
  };
  const runPreview = () => {
    setMissing(body.repoId ? undefined : 'Enter a repository id, e.g. Qwen/Qwen2.5-7B-Instruct.');
    if (body.repoId) preview.mutate(body);
  };

  return (
    <DrawerForm
      onSubmit={() => {
        if (preview.data) save.mutate(body, { onSuccess: onImported });
        else runPreview();
      }}
      error={errors.banner}
      submitLabel={preview.data ? 'Import' : 'Preview'}
      pendingLabel={preview.isPending ? 'Reading the Hub…' : 'Importing…'}
      pending={preview.isPending || save.isPending}
      onCancel={onClose}
    >
      <TextField
        label="Repository"
        hint="The Hugging Face repository id: organization/name."
        placeholder="Qwen/Qwen2.5-7B-Instruct"
        error={missing ?? errors.fields.repoId}
        value={input.repoId}
        onChange={set('repoId')}
        data-autofocus
        spellCheck={false}
      />
      <TextField label="Revision" hint="Branch, tag or commit; default: main." placeholder="main" error={errors.fields.revision} value={input.revision} onChange={set('revision')} spellCheck={false} />
      <TextField
        label="GGUF file"
        hint="For a GGUF repository: which .gguf file. Default: Q4_K_M, else the closest common quantization."
        error={errors.fields.hfFile}
        value={input.hfFile}
        onChange={set('hfFile')}
        spellCheck={false}
      />
      <TextField label="Name" hint="Optional; default: the repository’s name without the organization." error={errors.fields.name} value={input.name} onChange={set('name')} spellCheck={false} />
      {preview.data && (
        <section ref={previewRef} className="preview" aria-label="Import preview">
          <h3 className="preview-title">What will be filled</h3>
          <Facts facts={modelFacts(preview.data)} />
          {preview.data.notes.length > 0 && (
            <ul className="notes" aria-label="Import notes">
              {preview.data.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          )}
        </section>
      )}
    </DrawerForm>
  );
}
