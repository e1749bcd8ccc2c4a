/**
 * Kubernetes resource quantities ("64", "63500m", "527952340Ki", "1.5Gi", "1e3") as numbers:
 * cores for CPU, bytes for memory, a count for extended resources such as nvidia.com/gpu.
 */
const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** The quantity's value, or undefined when `text` is not a quantity. */
export function parseQuantity(text: string | undefined | null): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, number, exponent, suffix] = match;
  const value = Number(`${number}${exponent ?? ''}`);
  const factor = SUFFIXES[suffix ?? ''];
  if (!Number.isFinite(value) || factor === undefined) return undefined;
  return value * factor;
}

/** A whole count (GPUs): missing or malformed → 0. */
export function parseCount(text: string | undefined | null): number {
  const value = parseQuantity(text);
  return value === undefined || value < 0 ? 0 : Math.floor(value);
}
