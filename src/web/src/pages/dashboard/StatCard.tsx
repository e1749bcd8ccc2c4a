import { Link } from 'react-router';

/** One number of the dashboard's summary row, its label a link where it has a page. */
export function StatCard({ label, value, hint, link }: { label: string; value: string; hint?: string | undefined; link?: string }) {
  return (
    <div className="stat-card">
      <span className="stat-label">{link ? <Link to={link}>{label}</Link> : label}</span>
      <span className="stat-value" data-testid={`stat-${label.toLowerCase().replace(/\s+/g, '-')}`}>
        {value}
      </span>
      {hint && <span className="stat-hint">{hint}</span>}
    </div>
  );
}
