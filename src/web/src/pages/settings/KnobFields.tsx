import type { KnobDescriptor } from '../../api/types';
import { SelectField, TextField } from '../../components/Field';
import type { KnobInputs } from './optimization-form';
import { SPECULATIVE } from './optimization-form';

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const DEFAULT_OPTION = { value: '', label: 'Runtime default' };

/** Inputs for a runtime's knobs of one tier, generated from its descriptor (GET /api/runtimes). */
export function KnobFields({
  knobs,
  inputs,
  onChange,
  errors,
}: {
  knobs: readonly KnobDescriptor[];
  inputs: KnobInputs;
  onChange: (key: string, value: string) => void;
  errors: Record<string, string | undefined>;
}) {
  return (
    <>
      {knobs.map((knob) => {
        const label = capitalize(knob.label);
        const hint = `${knob.description} → ${knob.target}`;
        const common = { label, hint, error: errors[knob.key], value: inputs[knob.key] ?? '', onChange: (value: string) => onChange(knob.key, value) };
        switch (knob.type) {
          case 'boolean':
            return <SelectField key={knob.key} {...common} options={[DEFAULT_OPTION, { value: 'true', label: 'On' }, { value: 'false', label: 'Off' }]} />;
          case 'enum':
            return <SelectField key={knob.key} {...common} options={[DEFAULT_OPTION, ...(knob.values ?? []).map((value) => ({ value, label: value }))]} />;
          case 'speculative':
            return <SpeculativeFields key={knob.key} knob={knob} inputs={inputs} onChange={onChange} errors={errors} />;
          default:
            return <TextField key={knob.key} {...common} placeholder="runtime default" inputMode={knob.type === 'duration' || knob.type === 'integer-or-all' ? 'text' : 'decimal'} spellCheck={false} />;
        }
      })}
    </>
  );
}

function SpeculativeFields({ knob, inputs, onChange, errors }: { knob: KnobDescriptor; inputs: KnobInputs; onChange: (key: string, value: string) => void; errors: Record<string, string | undefined> }) {
  const method = inputs[SPECULATIVE.method] ?? '';
  return (
    <fieldset className="choice-group">
      <legend className="field-label">{capitalize(knob.label)}</legend>
      <SelectField
        label="Speculative method"
        hint={`${knob.description} → ${knob.target}`}
        error={errors[SPECULATIVE.method]}
        value={method}
        options={[{ value: '', label: 'Off' }, ...(knob.values ?? []).map((value) => ({ value, label: value }))]}
        onChange={(value) => onChange(SPECULATIVE.method, value)}
      />
      {method && (
        <>
          <TextField
            label="Draft model"
            hint="Path or Hugging Face id; for draft_model, eagle, eagle3 and medusa."
            error={errors[SPECULATIVE.draftModel]}
            value={inputs[SPECULATIVE.draftModel] ?? ''}
            onChange={(value) => onChange(SPECULATIVE.draftModel, value)}
            spellCheck={false}
          />
          <TextField
            label="Speculative tokens"
            hint="Tokens proposed per step (1–32)."
            inputMode="numeric"
            error={errors[SPECULATIVE.tokens]}
            value={inputs[SPECULATIVE.tokens] ?? ''}
            onChange={(value) => onChange(SPECULATIVE.tokens, value)}
          />
        </>
      )}
    </fieldset>
  );
}
