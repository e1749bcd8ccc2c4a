/**
 * Retention: deletes rows older than `days` in batches, so no single delete holds a table for
 * long. `deleteOlderThan` deletes at most `batchSize` rows and says how many went.
 */
export async function purgeInBatches(
  deleteOlderThan: (cutoff: Date, batchSize: number) => Promise<number>,
  options: { days: number; now: Date; batchSize?: number },
): Promise<number> {
  const batchSize = options.batchSize ?? 1000;
  const cutoff = new Date(options.now.getTime() - options.days * 24 * 3600 * 1000);
  let total = 0;
  for (;;) {
    const deleted = await deleteOlderThan(cutoff, batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
