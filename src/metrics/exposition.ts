/**
 * A parser of the Prometheus text exposition format (version 0.0.4, and the OpenMetrics text
 * that most runtimes also accept): what a replica's /metrics answers. Samples are kept by their
 * sample name (`vllm:generation_tokens_total`, `tgi_request_duration_bucket`), which is what
 * PromQL selects too. `# HELP`/`# TYPE` lines and other comments are skipped; a malformed line is
 * skipped and counted, never fatal (one odd line must not blank a snapshot).
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  /** NaN for `NaN`; ±Infinity for `+Inf`/`-Inf`. */
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Lines that were neither comments, blank, nor a well-formed sample. */
  skippedLines: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(text: string): number | undefined {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
    default: {
      // Go's ParseFloat forms: decimals, exponents, hexadecimal is not used by any runtime.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
      return Number(text);
    }
  }
}

/** The label set at `line[start] === '{'`; returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } | undefined {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ') i += 1;
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(line.slice(i))?.[0];
    if (!name) return undefined;
    i += name.length;
    while (line[i] === ' ') i += 1;
    if (line[i] !== '=') return undefined;
    i += 1;
    while (line[i] === ' ') i += 1;
    if (line[i] !== '"') return undefined;
    i += 1;
    let value = '';
    for (;;) {
      const char = line[i];
      if (char === undefined) return undefined;
      if (char === '"') break;
      if (char === '\\') {
        const next = line[i + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else return undefined;
        i += 2;
        continue;
      }
      value += char;
      i += 1;
    }
    labels[name] = value;
    i += 1;
    while (line[i] === ' ') i += 1;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') return undefined;
  }
}

function parseSample(line: string): Sample | undefined {
  const name = NAME.exec(line)?.[0];
  if (!name) return undefined;
  let i = name.length;
  let labels: Record<string, string> = {};
  if (line[i] === '{') {
    const parsed = parseLabels(line, i);
    if (!parsed) return undefined;
    labels = parsed.labels;
    i = parsed.end;
  }
  // The value, then an optional timestamp (ignored: the reading's time is when it was read).
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') return undefined;
  const value = parseValue(rest[0]!);
  return value === undefined ? undefined : { name, labels, value };
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  let skippedLines = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSample(line);
    if (sample) samples.push(sample);
    else skippedLines += 1;
  }
  return { samples, skippedLines };
}
