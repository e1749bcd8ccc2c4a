/** GPU temperatures (°C) from which a dot turns amber, then red: data-center GPUs slow down near 85–90 °C. */
export const TEMPERATURE_THRESHOLDS = { warm: 75, hot: 85 } as const;

export type Heat = 'ok' | 'warm' | 'hot' | 'unknown';

export function heatOf(celsius: number | null): Heat {
  if (celsius === null) return 'unknown';
  if (celsius >= TEMPERATURE_THRESHOLDS.hot) return 'hot';
  if (celsius >= TEMPERATURE_THRESHOLDS.warm) return 'warm';
  return 'ok';
}
