import { formatCount } from '../lib/format';
import { numberProblems, optionalNumber } from '../lib/form-values';
import { TextField } from './Field';

export type LimitKind = 'rpm' | 'tpm';
/** The two limit inputs as typed: blank = inherit (null when sent), 0 = unlimited. */
export type LimitInputs = Record<LimitKind, string>;

/** The server's highest RPM/TPM (the domain's MAX_KEY_LIMIT; the domain imports zod, so it is not imported here). */
const MAX_LIMIT = 1_000_000_000;
const RULES = { rpm: { integer: true, min: 0, max: MAX_LIMIT }, tpm: { integer: true, min: 0, max: MAX_LIMIT } };

export function limitInputs(rpm: number | null | undefined, tpm: number | null | undefined): LimitInputs {
  return { rpm: rpm?.toString() ?? '', tpm: tpm?.toString() ?? '' };
}

/** The inputs as request values (null = inherit) and what is wrong with them, per field. */
export function readLimitInputs(inputs: LimitInputs): { values: Record<LimitKind, number | null>; problems: Partial<Record<LimitKind, string>> } {
  const rpm = optionalNumber(inputs.rpm);
  const tpm = optionalNumber(inputs.tpm);
  return { values: { rpm: rpm ?? null, tpm: tpm ?? null }, problems: numberProblems({ rpm, tpm }, RULES) };
}

/** RPM and TPM inputs; `hint` says what a blank one falls back to. */
export function RateLimitFields({
  value,
  onChange,
  errors,
  hint,
}: {
  value: LimitInputs;
  onChange: (value: LimitInputs) => void;
  errors: Partial<Record<LimitKind, string | undefined>>;
  hint: (kind: LimitKind) => string;
}) {
  return (
    <>
      <TextField label="RPM limit" inputMode="numeric" hint={hint('rpm')} error={errors.rpm} value={value.rpm} onChange={(rpm) => onChange({ ...value, rpm })} />
      <TextField label="TPM limit" inputMode="numeric" hint={hint('tpm')} error={errors.tpm} value={value.tpm} onChange={(tpm) => onChange({ ...value, tpm })} />
    </>
  );
}

/** 0 is unlimited. */
export const formatLimit = (value: number) => (value === 0 ? 'unlimited' : formatCount(value));

/** An own limit, or the inherited one (when known) marked "(default)". */
export function limitText(own: number | null, inherited: number | undefined): string {
  if (own !== null) return formatLimit(own);
  return inherited === undefined ? '(default)' : `${formatLimit(inherited)} (default)`;
}

/** Two lines, RPM and TPM, for a table cell: the own limits, or the inherited ones in muted text. */
export function LimitLines({
  own,
  inherited,
  inheritedTitle,
}: {
  own: Record<LimitKind, number | null>;
  inherited: Record<LimitKind, number> | undefined;
  /** Where inherited limits come from, as a tooltip. */
  inheritedTitle: string;
}) {
  return (
    <>
      {(['rpm', 'tpm'] as const).map((kind) => (
        <span key={kind} className="limit-line">
          <span className="limit-line-kind">{kind.toUpperCase()}</span>{' '}
          <span className={own[kind] === null ? 'muted' : undefined} title={own[kind] === null ? inheritedTitle : undefined}>
            {limitText(own[kind], inherited?.[kind])}
          </span>
        </span>
      ))}
    </>
  );
}
