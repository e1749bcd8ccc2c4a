import { describe, expect, it } from 'vitest';
import { PRESET_ID_PATTERN, presetNameSchema, RUNTIME_IDS } from '../../domain/optimization.js';
import { RUNTIMES } from '../../runtimes/index.js';
import { BUILTIN_PRESETS, builtinPresetId } from './builtin-presets.js';

describe('built-in optimization presets', () => {
  it.each(BUILTIN_PRESETS.map((preset) => [builtinPresetId(preset.runtime, preset.name), preset] as const))(
    '%s fits its runtime: no refused value and no knob the runtime lacks',
    (_id, preset) => {
      expect(RUNTIMES[preset.runtime].validate(preset.optimization)).toEqual({ errors: [], unsupported: [] });
      expect(RUNTIMES[preset.runtime].render(preset.optimization, { model: '/models/m' }).warnings).toEqual([]);
    },
  );

  it('have valid, unique names and ids', () => {
    const ids = BUILTIN_PRESETS.map((preset) => builtinPresetId(preset.runtime, preset.name));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(PRESET_ID_PATTERN.test(id)).toBe(true);
    for (const preset of BUILTIN_PRESETS) expect(presetNameSchema.parse(preset.name)).toBe(preset.name);
  });

  it('give every runtime a balanced and a low-latency starting point', () => {
    for (const runtime of RUNTIME_IDS) {
      const names = BUILTIN_PRESETS.filter((preset) => preset.runtime === runtime).map((preset) => preset.name);
      expect(names, runtime).toEqual(expect.arrayContaining(['balanced', 'low-latency']));
    }
  });
});
