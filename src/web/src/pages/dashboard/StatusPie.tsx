import type { DeploymentStatus } from '../../api/types';
import { DEPLOYMENT_STATUSES } from '../instances/instance-format';

const SIZE = 160;
const RADIUS = 60;
const STROKE = 28;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

export type StatusCounts = Record<DeploymentStatus, number>;

/**
 * Instances by status as a donut drawn in SVG (no chart library): one slice per status that has
 * instances — paused and unknown are slices of their own — and a legend with every status.
 * Colors are the --chart-* tokens.
 */
export function StatusPie({ counts }: { counts: StatusCounts }) {
  const total = DEPLOYMENT_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  const summary = DEPLOYMENT_STATUSES.filter((status) => counts[status] > 0)
    .map((status) => `${status} ${counts[status]}`)
    .join(', ');
  let offset = 0;
  const slices = DEPLOYMENT_STATUSES.filter((status) => counts[status] > 0).map((status) => {
    const length = (counts[status] / total) * CIRCUMFERENCE;
    const slice = { status, length, offset };
    offset += length;
    return slice;
  });

  return (
    <div className="status-pie">
      <svg
        width={SIZE}
        height={SIZE}
        viewBox={`0 0 ${SIZE} ${SIZE}`}
        role="img"
        aria-label={total === 0 ? 'Instances by status: none yet' : `Instances by status: ${summary}`}
        className="status-pie-chart"
      >
        <circle cx={SIZE / 2} cy={SIZE / 2} r={RADIUS} fill="none" className="status-pie-track" strokeWidth={STROKE} />
        {/* Slices start at 12 o'clock and go clockwise. */}
        <g transform={`rotate(-90 ${SIZE / 2} ${SIZE / 2})`}>
          {slices.map((slice) => (
            <circle
              key={slice.status}
              data-status={slice.status}
              cx={SIZE / 2}
              cy={SIZE / 2}
              r={RADIUS}
              fill="none"
              strokeWidth={STROKE}
              className={`status-pie-slice chart-${slice.status}`}
              strokeDasharray={`${slice.length} ${CIRCUMFERENCE - slice.length}`}
              strokeDashoffset={-slice.offset}
            >
              <title>{`${slice.status}: ${counts[slice.status]}`}</title>
            </circle>
          ))}
        </g>
        <text x="50%" y="50%" textAnchor="middle" dominantBaseline="central" className="status-pie-total">
          {total}
        </text>
      </svg>
      <ul className="status-legend" aria-label="Status legend">
        {DEPLOYMENT_STATUSES.map((status) => (
          <li key={status} className={counts[status] === 0 ? 'status-legend-empty' : undefined}>
            <span className={`status-swatch chart-${status}`} aria-hidden="true" />
            <span className="status-legend-name">{status}</span>
            <span className="status-legend-count">{counts[status]}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
