import { Counter, Gauge, type Registry } from 'prom-client';

/** The request log's spool metrics (prefix `hmas_inference_log_`); drops are counted with the gateway's. */
export function createInferenceLogMetrics(registry: Registry, spoolBytes: () => number) {
  const registers = [registry];
  new Gauge({
    name: 'hmas_inference_log_spool_bytes',
    help: 'Bytes in the inference log spool: entries not yet known to be in the database, and the current segment.',
    registers,
    collect() {
      this.set(spoolBytes());
    },
  });
  const notSpooled = new Counter({
    name: 'hmas_inference_log_not_spooled_total',
    help: 'Inference log entries the spool could not take (full, or its disk failed): kept in memory only, lost if the process dies.',
    registers,
  });
  const replayed = new Counter({
    name: 'hmas_inference_log_replayed_total',
    help: 'Inference log entries read back from the spool and written (after a crash, or once the database was back).',
    registers,
  });
  return {
    notSpooled: () => notSpooled.inc(),
    replayed: (entries: number) => replayed.inc(entries),
  };
}
