import type { RuntimeDescriptor } from '../../api/types';
import { useIsAdmin } from '../../auth/current-user';
import { TextAreaField } from '../../components/Field';
import { KnobFields } from './KnobFields';
import type { OptimizationInputs } from './optimization-form';

/**
 * The Tier 1 / Tier 2 / Raw fields of an optimization, built from the runtime's knobs. Shared
 * by the optimization preset form and the instance "Edit settings" drawer.
 */
export function OptimizationTierFields({
  runtime,
  inputs,
  errors,
  onKnob,
  onRaw,
}: {
  runtime: RuntimeDescriptor;
  inputs: OptimizationInputs;
  errors: Record<string, string | undefined>;
  onKnob: (key: string, value: string) => void;
  onRaw: (field: 'extraArgs' | 'extraEnv', value: string) => void;
}) {
  // Raw settings reach the runtime unchecked by the knob tables: the server takes them from admins only.
  const rawEditable = useIsAdmin();
  const adminOnly = rawEditable ? '' : ' Admins only: ask an admin, or use a preset an admin made.';
  return (
    <>
      <fieldset className="tier">
        <legend className="tier-title">Tier 1 — common</legend>
        <KnobFields knobs={runtime.knobs.tier1} inputs={inputs.knobs} onChange={onKnob} errors={errors} />
      </fieldset>
      {runtime.knobs.tier2.length > 0 && (
        <fieldset className="tier">
          <legend className="tier-title">Tier 2 — advanced</legend>
          <KnobFields knobs={runtime.knobs.tier2} inputs={inputs.knobs} onChange={onKnob} errors={errors} />
        </fieldset>
      )}
      {(runtime.knobs.raw.extraArgs || runtime.knobs.raw.extraEnv) && (
        <fieldset className="tier">
          <legend className="tier-title">Raw override</legend>
          {runtime.knobs.raw.extraArgs && (
            <TextAreaField
              label="Extra arguments"
              hint={`One argument per line, appended after the rendered flags (never through a shell).${adminOnly}`}
              mono
              readOnly={!rawEditable}
              rows={3}
              error={errors.extraArgs}
              value={inputs.extraArgs}
              onChange={(value: string) => onRaw('extraArgs', value)}
            />
          )}
          {runtime.knobs.raw.extraEnv && (
            <TextAreaField
              label="Extra environment"
              hint={`KEY=VALUE per line. Tokens: KEY=secretRef:NAME takes the value from a secret (Settings → Secrets).${adminOnly}`}
              mono
              readOnly={!rawEditable}
              rows={3}
              error={errors.extraEnv}
              value={inputs.extraEnv}
              onChange={(value: string) => onRaw('extraEnv', value)}
            />
          )}
        </fieldset>
      )}
    </>
  );
}
