/** key=value chips, sorted by key; a dash when there are none. */
export function LabelChips({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="chips" aria-label="Labels">
      {entries.map(([key, value]) => (
        <li key={key} className="chip mono">
          {value ? `${key}=${value}` : key}
        </li>
      ))}
    </ul>
  );
}
