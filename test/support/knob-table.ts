import { expect, it } from 'vitest';
import { KNOB_KEYS, knobValue, type Optimization } from '../../src/domain/optimization.js';
import type { RenderContext, RuntimeAdapter } from '../../src/runtimes/runtime-adapter.js';

/** One knob setting and what the runtime's documentation says it becomes (`doc` cites the source). */
export interface KnobRow {
  knob: string;
  optimization: Optimization;
  /** Flags after the base command line (argv runtimes). */
  args?: string[];
  /** Environment variables besides the base ones (Ollama). */
  env?: Record<string, string>;
  doc: string;
}

export interface KnobTableSpec {
  adapter: RuntimeAdapter;
  context: RenderContext;
  /** What every render starts with. */
  base: { args?: string[]; env?: Record<string, string> };
  rows: KnobRow[];
  /** Optimizations the runtime cannot take, with the message the operator reads. */
  refusals: Array<[Optimization, string]>;
}

const knobsIn = (optimization: Optimization) => KNOB_KEYS.filter((key) => knobValue(optimization, key) !== undefined);

/**
 * The table tests every runtime adapter shares, added to the enclosing `describe`: each row
 * renders as documented, the table covers every knob the adapter maps, and each refusal throws
 * its message.
 */
export function itRendersKnobTable({ adapter, context, base, rows, refusals }: KnobTableSpec): void {
  it.each(rows)('renders $knob as documented [$doc]', ({ optimization, args = [], env = {} }) => {
    expect(adapter.render(optimization, context)).toEqual({ args: [...(base.args ?? []), ...args], env: { ...base.env, ...env }, warnings: [] });
  });

  it('has a table row for every knob it maps', () => {
    expect(new Set(rows.flatMap((row) => knobsIn(row.optimization)))).toEqual(new Set(Object.keys(adapter.knobs)));
  });

  it.each(refusals)('refuses %j with a clear message', (optimization, message) => {
    expect(() => adapter.render(optimization, context)).toThrow(message);
  });
}
