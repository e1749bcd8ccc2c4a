/**
 * Reads a Prometheus text exposition (a recorded scrape) into samples, so tests can feed the
 * same recording to a real Prometheus engine (promtool's `input_series`) and to code that reads
 * query answers. Handles what exporters print: `# HELP`/`# TYPE` lines, quoted label values with
 * `\"`, `\\` and `\n` escapes, and an optional timestamp after the value.
 */
export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

export function parseExposition(text: string): ExpositionSample[] {
  const samples: ExpositionSample[] = [];
  for (const [position, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`exposition line ${position + 1} is not a sample: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[2] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const pair = LABEL.exec(body);
      if (!pair) throw new Error(`exposition line ${position + 1} has a label list that does not parse: ${body}`);
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** A series in PromQL's notation (`name{a="b"}`), label values escaped. */
export function seriesNotation(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${name}{${pairs.join(',')}}`;
}
