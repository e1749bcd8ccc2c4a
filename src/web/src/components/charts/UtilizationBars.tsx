import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { seriesColor, useChartTheme } from './chart-theme';

/** One cluster's GPUs: how busy (utilization %, null without a reading) and how many are taken. */
export interface ClusterGpuUse {
  cluster: string;
  utilizationPercent: number | null;
  allocated: number;
  total: number;
}

const ROW_HEIGHT = 44;
const LABEL_CHARS = 14;

/** A cluster name that fits the axis: long ones end in "…" (the tooltip has it whole). */
const shortName = (name: string) => (name.length > LABEL_CHARS ? `${name.slice(0, LABEL_CHARS - 1)}…` : name);

/** Per cluster, GPU utilization next to GPU allocation, both in % (a horizontal bar each). */
export function UtilizationBars({ clusters }: { clusters: readonly ClusterGpuUse[] }) {
  const theme = useChartTheme();
  const rows = clusters.map((entry) => ({
    cluster: entry.cluster,
    utilization: entry.utilizationPercent,
    allocation: entry.total > 0 ? (entry.allocated / entry.total) * 100 : null,
    counts: `${entry.allocated}/${entry.total} GPUs`,
  }));
  const axis = { fill: theme.axis, fontSize: 12 };
  return (
    <div className="chart-body" style={{ height: 64 + ROW_HEIGHT * rows.length }}>
      <BarChart data={rows} layout="vertical" responsive style={{ width: '100%', height: '100%' }} margin={{ top: 4, right: 16, bottom: 0, left: 8 }} barGap={2}>
        <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" domain={[0, 100]} tickFormatter={(value: number) => `${value}%`} tick={axis} stroke={theme.grid} />
        <YAxis type="category" dataKey="cluster" tick={axis} tickFormatter={shortName} stroke={theme.grid} width={110} />
        <Tooltip
          formatter={(value, name, item) => {
            const text = typeof value === 'number' ? `${Math.round(value)} %` : 'no reading';
            return name === 'GPUs allocated' ? `${text} (${(item.payload as { counts: string }).counts})` : text;
          }}
          contentStyle={{ background: theme.tooltipBackground, borderColor: theme.tooltipBorder, color: theme.text, borderRadius: 6, fontSize: 12 }}
          labelStyle={{ color: theme.text }}
          cursor={{ fill: theme.grid, fillOpacity: 0.4 }}
        />
        <Legend itemSorter={null} wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="utilization" name="GPU utilization" fill={seriesColor(theme, 0)} isAnimationActive={false} barSize={12} />
        <Bar dataKey="allocation" name="GPUs allocated" fill={seriesColor(theme, 1)} isAnimationActive={false} barSize={12} />
      </BarChart>
    </div>
  );
}
