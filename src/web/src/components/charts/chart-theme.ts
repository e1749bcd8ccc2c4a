import { useMemo } from 'react';
import { useTheme } from '../../theme/theme';

/** The chart colors of the current theme, read from the CSS variables of tokens.css. */
export interface ChartTheme {
  /** Line and bar colors, in order (--chart-series-1…6). */
  series: readonly string[];
  grid: string;
  axis: string;
  tooltipBackground: string;
  tooltipBorder: string;
  text: string;
}

const SERIES_COUNT = 6;

function readChartTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    series: Array.from({ length: SERIES_COUNT }, (_, index) => read(`--chart-series-${index + 1}`)),
    grid: read('--chart-grid'),
    axis: read('--chart-axis'),
    tooltipBackground: read('--surface-1'),
    tooltipBorder: read('--border-2'),
    text: read('--text-1'),
  };
}

/**
 * Recharts draws with attribute colors, so the variables are read as values; again whenever the
 * theme flips between light and dark.
 */
export function useChartTheme(): ChartTheme {
  const { theme } = useTheme();
  // `theme` is the dependency: the variables' values change with it.
  return useMemo(() => readChartTheme(), [theme]);
}

/** The color of the n-th line. */
export const seriesColor = (theme: ChartTheme, index: number) => theme.series[index % theme.series.length] ?? theme.axis;
