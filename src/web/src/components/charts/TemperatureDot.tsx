/** GPU temperatures (°C) from which a dot turns amber, then red: data-center GPUs slow down near 85–90 °C. */
export const TEMPERATURE_THRESHOLDS = { warm: 75, hot: 85 } as const;

type Heat = 'ok' | 'warm' | 'hot' | 'unknown';

export function heatOf(celsius: number | null): Heat {
  if (celsius === null) return 'unknown';
  if (celsius >= TEMPERATURE_THRESHOLDS.hot) return 'hot';
  if (celsius >= TEMPERATURE_THRESHOLDS.warm) return 'warm';
  return 'ok';
}

const HEAT_WORDS: Record<Heat, string> = { ok: 'normal', warm: 'warm', hot: 'hot', unknown: 'no reading' };

/** One GPU's temperature as a colored dot (green, amber from 75 °C, red from 85 °C, grey without a reading). */
export function TemperatureDot({ gpu, celsius }: { /** "node-a GPU 0" */ gpu: string; celsius: number | null }) {
  const heat = heatOf(celsius);
  const text = `${gpu}: ${celsius === null ? 'no reading' : `${Math.round(celsius)} °C`} (${HEAT_WORDS[heat]})`;
  return <span className={`temp-dot temp-${heat}`} role="img" aria-label={text} title={text} />;
}
