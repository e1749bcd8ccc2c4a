import type { Heat } from './heat';
import { heatOf } from './heat';

const HEAT_WORDS: Record<Heat, string> = { ok: 'normal', warm: 'warm', hot: 'hot', unknown: 'no reading' };

/** One GPU's temperature as a colored dot (green, amber from 75 °C, red from 85 °C, grey without a reading). */
export function TemperatureDot({ gpu, celsius }: { /** "node-a GPU 0" */ gpu: string; celsius: number | null }) {
  const heat = heatOf(celsius);
  const text = `${gpu}: ${celsius === null ? 'no reading' : `${Math.round(celsius)} °C`} (${HEAT_WORDS[heat]})`;
  return <span className={`temp-dot temp-${heat}`} role="img" aria-label={text} title={text} />;
}
