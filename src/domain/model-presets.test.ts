import { describe, expect, it } from 'vitest';
import { createModelSchema, MODEL_CATEGORIES, modelNameSchema, parseSizeFromName } from './model.js';
import { MODEL_PRESETS, modelBodyFromPreset } from './model-presets.js';
import { recommendResources } from './resource-fit.js';

describe('model preset catalog', () => {
  it('holds at least 20 models covering every category', () => {
    expect(MODEL_PRESETS.length).toBeGreaterThanOrEqual(20);
    for (const category of MODEL_CATEGORIES) expect(MODEL_PRESETS.some((preset) => preset.category === category), category).toBe(true);
  });

  it('has unique ids, names and sources', () => {
    for (const key of ['id', 'name'] as const) expect(new Set(MODEL_PRESETS.map((preset) => preset[key])).size).toBe(MODEL_PRESETS.length);
    expect(new Set(MODEL_PRESETS.map((preset) => `${preset.hfRepoId}/${preset.hfFile ?? ''}`)).size).toBe(MODEL_PRESETS.length);
  });

  it.each(MODEL_PRESETS.map((preset) => [preset.id, preset] as const))('%s is a valid registry entry with a recommendation', (_id, preset) => {
    expect(modelNameSchema.safeParse(preset.name).success).toBe(true);
    const body = modelBodyFromPreset(preset);
    expect(createModelSchema.safeParse(body).error).toBeUndefined();
    // The name's size label, when there is one, agrees with the parameter count within 25 %.
    const fromName = parseSizeFromName(preset.hfRepoId.split('/')[1]!);
    if (fromName && !fromName.label.includes('x')) expect(Math.abs(preset.sizeB / fromName.sizeB - 1)).toBeLessThan(0.3);
    const recommendation = recommendResources(preset, { gpuMemoryGiB: 80 });
    expect(recommendation?.tensorParallelSize).not.toBeNull();
    expect(recommendation?.kvCacheBasis).toBe('architecture');
  });
});
