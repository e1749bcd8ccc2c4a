import { randomUUID } from 'node:crypto';
import type {
  CreatePresetInput,
  Optimization,
  OptimizationIssue,
  OptimizationPreset,
  Raw,
  RuntimeId,
  Tier1,
  Tier2,
  UpdatePresetInput,
} from '../../domain/optimization.js';
import type { Page } from '../../domain/pagination.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { hasPgCode, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import { isRuntimeId, requireRuntime } from '../../runtimes/index.js';
import { BUILTIN_PRESETS, builtinPresetId, type BuiltinPreset } from './builtin-presets.js';
import type { OptimizationPresetRepo, OptimizationPresetRow } from './optimization-preset-repo.js';
import type { Role } from '../../domain/roles.js';
import { assertMayWriteRaw } from './raw-settings-guard.js';
import type { SettingsSecretCheck } from '../secrets/settings-secret-check.js';

const BUILTIN_PREFIX = 'builtin:';

/** Every tier present, so clients need not guess whether a tier is missing or empty. */
function fullOptimization(optimization: Optimization): Required<Optimization> {
  return { tier1: { ...optimization.tier1 }, tier2: { ...optimization.tier2 }, raw: { ...optimization.raw } };
}

function fromBuiltin(preset: BuiltinPreset): OptimizationPreset {
  return {
    id: builtinPresetId(preset.runtime, preset.name),
    name: preset.name,
    runtime: preset.runtime,
    description: preset.description,
    builtIn: true,
    optimization: fullOptimization(preset.optimization),
    createdAt: null,
    updatedAt: null,
  };
}

function fromRow(row: OptimizationPresetRow): OptimizationPreset {
  // Rows are written only by this service, after validation, so the runtime is a known one.
  return {
    id: row.id,
    name: row.name,
    runtime: row.runtime as RuntimeId,
    description: row.description,
    builtIn: false,
    optimization: fullOptimization({ tier1: row.tier1 as Tier1, tier2: row.tier2 as Tier2, raw: row.raw as Raw }),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const BUILTINS: readonly OptimizationPreset[] = BUILTIN_PRESETS.map(fromBuiltin);

/**
 * Presets are per runtime, so they are checked strictly: a value the runtime refuses and a knob
 * the runtime does not have are both 400 (renders only warn about the latter).
 */
function assertFitsRuntime(runtime: RuntimeId, optimization: Optimization): void {
  const adapter = requireRuntime(runtime);
  const { errors, unsupported } = adapter.validate(optimization);
  const issues: OptimizationIssue[] = [...errors, ...unsupported].map((issue) => ({ ...issue, path: `/optimization${issue.path}` }));
  if (issues.length === 0) return;
  const shown = issues.slice(0, 3).map((issue) => `${issue.path.slice(1).replace(/\//g, '.')}: ${issue.message.replace(/\.$/, '')}`);
  throw new ValidationError(`The settings do not fit ${adapter.displayName} — ${shown.join('; ')}${issues.length > 3 ? `; and ${issues.length - 3} more` : ''}.`, { issues });
}

function builtinByName(runtime: RuntimeId, name: string): OptimizationPreset | undefined {
  return BUILTINS.find((preset) => preset.runtime === runtime && preset.name === name);
}

function nameTaken(runtime: RuntimeId, name: string, builtIn: boolean): ConflictError {
  const displayName = requireRuntime(runtime).displayName;
  return new ConflictError(
    'PRESET_NAME_TAKEN',
    builtIn
      ? `"${name}" is the name of a built-in ${displayName} preset; choose another name.`
      : `A ${displayName} preset named "${name}" already exists.`,
  );
}

function readOnly(preset: OptimizationPreset): ConflictError {
  return new ConflictError('BUILTIN_PRESET_READ_ONLY', `The built-in preset "${preset.id}" cannot be changed or deleted; create a preset of your own from it.`);
}

export function createOptimizationPresetService(deps: { repo: OptimizationPresetRepo; secrets?: SettingsSecretCheck }) {
  const { repo } = deps;

  function findBuiltin(id: string): OptimizationPreset | undefined {
    return BUILTINS.find((preset) => preset.id === id);
  }

  async function requireStored(id: string): Promise<OptimizationPresetRow> {
    if (id.startsWith(BUILTIN_PREFIX)) {
      const builtin = findBuiltin(id);
      if (builtin) throw readOnly(builtin);
      throw new NotFoundError('optimization preset', id);
    }
    const row = await repo.find(id);
    if (!row) throw new NotFoundError('optimization preset', id);
    return row;
  }

  return {
    /** Built-in presets first (in catalog order), then stored ones by runtime and name. */
    async list(query: { runtime?: RuntimeId; limit: number; offset: number }): Promise<Page<OptimizationPreset>> {
      const builtins = BUILTINS.filter((preset) => query.runtime === undefined || preset.runtime === query.runtime);
      const fromBuiltins = builtins.slice(query.offset, query.offset + query.limit);
      const storedOffset = Math.max(0, query.offset - builtins.length);
      const storedLimit = query.limit - fromBuiltins.length;
      // The stored total is needed even when the page is all built-ins.
      const { rows, total } = await repo.list(query.runtime, Math.max(storedLimit, 1), storedOffset);
      const stored = storedLimit > 0 ? rows.map(fromRow) : [];
      return { items: [...fromBuiltins, ...stored], total: builtins.length + total, limit: query.limit, offset: query.offset };
    },

    async get(id: string): Promise<OptimizationPreset> {
      if (id.startsWith(BUILTIN_PREFIX)) {
        const builtin = findBuiltin(id);
        if (!builtin) throw new NotFoundError('optimization preset', id);
        return builtin;
      }
      const row = await repo.find(id);
      if (!row) throw new NotFoundError('optimization preset', id);
      return fromRow(row);
    },

    /** Raw settings are admin-only (403 RAW_SETTINGS_ADMIN_ONLY): operators deploying with the preset rely on an admin having vetted them. */
    async create(input: CreatePresetInput, access: { role: Role }): Promise<OptimizationPreset> {
      if (!isRuntimeId(input.runtime)) throw new NotFoundError('runtime', input.runtime);
      assertMayWriteRaw(access.role, undefined, input.optimization.raw);
      assertFitsRuntime(input.runtime, input.optimization);
      await deps.secrets?.checkSettings(input.optimization.raw?.extraEnv);
      if (builtinByName(input.runtime, input.name)) throw nameTaken(input.runtime, input.name, true);
      try {
        const row = await repo.insert({
          id: randomUUID(),
          name: input.name,
          runtime: input.runtime,
          description: input.description,
          tier1: input.optimization.tier1 ?? {},
          tier2: input.optimization.tier2 ?? {},
          raw: input.optimization.raw ?? {},
        });
        return fromRow(row);
      } catch (error) {
        if (hasPgCode(error, PG_UNIQUE_VIOLATION)) throw nameTaken(input.runtime, input.name, false);
        throw error;
      }
    },

    /** Changes what the input names; a given `optimization` replaces the stored one whole. */
    async update(id: string, input: UpdatePresetInput, access: { role: Role }): Promise<OptimizationPreset> {
      const current = await requireStored(id);
      const runtime = current.runtime as RuntimeId;
      if (input.optimization !== undefined) {
        assertMayWriteRaw(access.role, current.raw as Raw, input.optimization.raw);
        assertFitsRuntime(runtime, input.optimization);
        await deps.secrets?.checkSettings(input.optimization.raw?.extraEnv);
      }
      if (input.name !== undefined && builtinByName(runtime, input.name)) throw nameTaken(runtime, input.name, true);
      try {
        const row = await repo.update(id, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.optimization !== undefined
            ? { tier1: input.optimization.tier1 ?? {}, tier2: input.optimization.tier2 ?? {}, raw: input.optimization.raw ?? {} }
            : {}),
        });
        if (!row) throw new NotFoundError('optimization preset', id);
        return fromRow(row);
      } catch (error) {
        if (hasPgCode(error, PG_UNIQUE_VIOLATION)) throw nameTaken(runtime, input.name ?? current.name, false);
        throw error;
      }
    },

    /** Deletes a stored preset and returns it; built-in presets are 409 BUILTIN_PRESET_READ_ONLY. */
    async remove(id: string): Promise<OptimizationPreset> {
      const row = await requireStored(id);
      if (!(await repo.remove(id))) throw new NotFoundError('optimization preset', id);
      return fromRow(row);
    },
  };
}

export type OptimizationPresetService = ReturnType<typeof createOptimizationPresetService>;
