/**
 * The entries of `next` that differ from `current` (compared as JSON), for PATCH bodies that
 * change only what the form changed, so an edit never overwrites a concurrent change elsewhere.
 */
export function changedFields<T extends object>(next: T, current: Partial<Record<keyof T, unknown>>): Partial<T> {
  const patch: Partial<T> = {};
  for (const key of Object.keys(next) as Array<keyof T>) {
    if (JSON.stringify(next[key]) !== JSON.stringify(current[key])) patch[key] = next[key];
  }
  return patch;
}

/** POST for a new item, PATCH of what changed for an existing one. */
export function saveInputFor<T extends object>(editing: ({ id: string } & Partial<Record<keyof T, unknown>>) | null, body: T) {
  return editing ? { id: editing.id, patch: changedFields(body, editing) } : { create: body };
}

/**
 * Optional fields an edit emptied although the item has them. PATCH cannot remove a field (it
 * takes no null for these), so the form says so rather than silently keeping the old value.
 */
export function clearedOptionals<K extends string>(
  next: Partial<Record<K, unknown>>,
  current: Partial<Record<K, unknown>> | null,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const problems: Partial<Record<K, string>> = {};
  if (!current) return problems;
  for (const key of keys) {
    if (next[key] === undefined && current[key] !== undefined && current[key] !== null) {
      problems[key] = 'Once set, this cannot be emptied here (the API cannot remove it yet): change it, or delete and recreate.';
    }
  }
  return problems;
}
