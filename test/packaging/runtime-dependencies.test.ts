// The image ships production dependencies only (npm ci --omit=dev): every package the server, CLI
// and embedded runtime import must be one of package.json's dependencies, or `hmas` fails in the
// image with a missing module that no test run here (with all of node_modules) would notice.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/kube-node-layout.js';
import { parseDockerfile, assignments } from './dockerfile-check.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Non-test TypeScript files of the server side (src/ without the web UI, which the build bundles). */
function serverSources(dir = path.join(REPO_ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === path.join(REPO_ROOT, 'src', 'web') ? [] : serverSources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Packages a source file loads at run time: value imports and re-exports, `import('x')`, `import 'x'` (type-only ones are erased). */
function runtimePackages(source: string): string[] {
  const specifiers = [
    ...[...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gms)].map((match) => match[1]),
    ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1]),
    ...[...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]),
  ].filter((specifier): specifier is string => specifier !== undefined && !specifier.startsWith('.') && !specifier.startsWith('node:'));
  return specifiers.map((specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
}

describe('production dependencies of the image', () => {
  it('reads value imports and skips type-only, relative and built-in ones', () => {
    const source = [
      "import { z } from 'zod';",
      "import type { Logger } from 'pino';",
      "import {\n  CoreV1Api,\n  type V1Pod,\n} from '@kubernetes/client-node';",
      "export { sql } from 'drizzle-orm/sql';",
      "import { readFile } from 'node:fs/promises';",
      "import { helper } from './helper.js';",
      "const llama = await import('node-llama-cpp');",
    ].join('\n');
    expect(runtimePackages(source).sort()).toEqual(['@kubernetes/client-node', 'drizzle-orm', 'node-llama-cpp', 'zod']);
  });

  it('lists every package the server, CLI and embedded runtime import under dependencies', () => {
    const used = new Map<string, string>();
    for (const file of serverSources()) for (const name of runtimePackages(readFileSync(file, 'utf8'))) used.set(name, path.relative(REPO_ROOT, file));
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
  });

  it('keeps the image logging JSON while pino-pretty is only a development dependency', () => {
    // The logger loads the pino-pretty transport when stdout is a terminal (`docker run -it`).
    if (!('pino-pretty' in pkg.devDependencies)) return;
    const final = parseDockerfile(readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8')).stages.at(-1);
    const env = final?.instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => assignments(i.args));
    expect(env?.find((variable) => variable.name === 'HMAS_LOG_PRETTY')?.value).toBe('false');
  });
});
