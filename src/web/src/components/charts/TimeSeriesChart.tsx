import type { ReactNode } from 'react';
import { useId } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { seriesColor, useChartTheme } from './chart-theme';
import { formatInstant, formatTick } from './time-format';
import type { MetricUnit } from './units';
import { formatAxis, formatMetric } from './units';

/** One line: `[unix seconds, value or null]` points (null: a gap). */
export interface ChartLine {
  label: string;
  points: ReadonlyArray<readonly [number, number | null]>;
}

export interface TimeSeriesChartProps {
  title: string;
  unit: MetricUnit;
  lines: readonly ChartLine[];
  /** Shown instead of the chart when no line has a value (why there is none). */
  empty: ReactNode;
  height?: number;
}

type Row = { t: number } & Record<string, number | null>;

/** The lines' points as Recharts rows, one per instant, each line under `s<index>`. */
function toRows(lines: readonly ChartLine[]): Row[] {
  const rows = new Map<number, Row>();
  lines.forEach((line, index) => {
    for (const [t, value] of line.points) {
      const row = rows.get(t) ?? { t };
      row[`s${index}`] = value;
      rows.set(t, row);
    }
  });
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

/**
 * Lines over time in one unit (req/s, tokens/s, latencies in ms, shares in %), themed from the
 * chart tokens. Gaps stay gaps: a missing sample is never drawn as 0.
 */
export function TimeSeriesChart({ title, unit, lines, empty, height = 220 }: TimeSeriesChartProps) {
  const theme = useChartTheme();
  const titleId = useId();
  const rows = toRows(lines);
  const hasValues = rows.some((row) => lines.some((_, index) => typeof row[`s${index}`] === 'number'));
  const first = rows[0]?.t ?? 0;
  const span = (rows.at(-1)?.t ?? first) - first;
  const axis = { fill: theme.axis, fontSize: 12 };

  return (
    <figure className="chart-card" aria-labelledby={titleId}>
      <figcaption id={titleId} className="chart-title">
        {title}
      </figcaption>
      {hasValues ? (
        <div className="chart-body" style={{ height }}>
          <LineChart data={rows} responsive style={{ width: '100%', height: '100%' }} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(t: number) => formatTick(t, span)}
              tick={axis}
              stroke={theme.grid}
              minTickGap={24}
            />
            <YAxis tickFormatter={(value: number) => formatAxis(value, unit)} tick={axis} stroke={theme.grid} width={64} allowDecimals />
            <Tooltip
              formatter={(value) => (typeof value === 'number' ? formatMetric(value, unit) : '—')}
              labelFormatter={(t) => (typeof t === 'number' ? formatInstant(t) : t)}
              contentStyle={{ background: theme.tooltipBackground, borderColor: theme.tooltipBorder, color: theme.text, borderRadius: 6, fontSize: 12 }}
              labelStyle={{ color: theme.text }}
            />
            {lines.length > 1 && <Legend iconType="plainline" itemSorter={null} wrapperStyle={{ fontSize: 12 }} />}
            {lines.map((line, index) => (
              <Line
                key={line.label}
                dataKey={`s${index}`}
                name={line.label}
                // Straight segments: a curve between points could draw p99 below p95 where the data never is.
                type="linear"
                stroke={seriesColor(theme, index)}
                strokeWidth={2}
                dot={false}
                connectNulls={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </div>
      ) : (
        <div className="chart-empty" style={{ minHeight: height / 2 }}>
          {empty}
        </div>
      )}
    </figure>
  );
}
