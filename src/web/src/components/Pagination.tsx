import { useId } from 'react';

export const PAGE_SIZES = [25, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

export function toPageSize(value: unknown, fallback: PageSize = 25): PageSize {
  const n = Number(value);
  return (PAGE_SIZES as readonly number[]).includes(n) ? (n as PageSize) : fallback;
}

export interface PaginationProps {
  total: number;
  limit: number;
  offset: number;
  onChange: (next: { limit: number; offset: number }) => void;
  /** What is being paged, for the accessible name ("Audit log pages"). */
  label: string;
  disabled?: boolean;
}

/** "x–y of total", page size 25/50/100, previous/next. */
export function Pagination({ total, limit, offset, onChange, label, disabled = false }: PaginationProps) {
  const sizeId = useId();
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="pagination" aria-label={label}>
      <div className="pagination-size">
        <label htmlFor={sizeId}>Rows per page</label>
        <select
          id={sizeId}
          className="input input-compact"
          value={limit}
          disabled={disabled}
          onChange={(event) => onChange({ limit: Number(event.target.value), offset: 0 })}
        >
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
      <p className="pagination-range" aria-live="polite">
        {first}–{last} of {total}
      </p>
      <div className="pagination-buttons">
        <button
          type="button"
          className="btn btn-secondary btn-small"
          disabled={disabled || offset === 0}
          onClick={() => onChange({ limit, offset: Math.max(0, offset - limit) })}
        >
          Previous
        </button>
        <button
          type="button"
          className="btn btn-secondary btn-small"
          disabled={disabled || offset + limit >= total}
          onClick={() => onChange({ limit, offset: offset + limit })}
        >
          Next
        </button>
      </div>
    </nav>
  );
}
