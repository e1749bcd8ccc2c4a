/**
 * Text inputs → request values. An empty input means "not given" (undefined); anything else that
 * is not a number stays NaN, so the form can say so instead of sending it.
 */
export function optionalNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : Number(trimmed);
}

/** Messages for number inputs that hold something other than a (whole) number in range. */
export function numberProblems<F extends string>(
  values: Partial<Record<F, number | undefined>>,
  rules: Partial<Record<F, { integer?: boolean; min?: number; max?: number }>>,
): Partial<Record<F, string>> {
  const problems: Partial<Record<F, string>> = {};
  for (const field of Object.keys(rules) as F[]) {
    const value = values[field];
    const rule = rules[field]!;
    if (value === undefined) continue;
    if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) problems[field] = rule.integer ? 'Enter a whole number.' : 'Enter a number.';
    else if (rule.min !== undefined && value < rule.min) problems[field] = `Enter at least ${rule.min}.`;
    else if (rule.max !== undefined && value > rule.max) problems[field] = `Enter at most ${rule.max}.`;
  }
  return problems;
}

/** Non-empty trimmed lines. */
export const nonEmptyLines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
