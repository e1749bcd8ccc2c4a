// Which folder of src/ may import which: the table in src/README.md, enforced. An import is
// allowed when the file it reaches (inside src/) starts with one of the layer's entries: a
// folder ("services/api-keys") or a single file ("server/same-origin.js"). The most specific
// layer wins ("server/routes" before "server"). main/ wires everything and is not listed.
import path from 'node:path';

export const LAYERS = {
  config: ['config'],
  lib: ['lib'],
  domain: ['domain'],
  db: ['db', 'lib', 'domain'],
  runtimes: ['runtimes', 'domain', 'lib'],
  clusters: ['clusters', 'domain', 'lib'],
  services: ['services', 'db', 'domain', 'lib', 'clusters', 'runtimes', 'metrics'],
  // Prometheus client, per-runtime PromQL and exposition parsing, normalization: pure of H-MAS's state.
  metrics: ['metrics', 'domain', 'lib', 'runtimes'],
  reconcilers: ['reconcilers', 'domain', 'lib'],
  // The gateway meets services only through the caller resolver's needs (keys, sessions, users).
  gateway: ['gateway', 'config', 'db', 'domain', 'lib', 'services/api-keys', 'services/auth', 'services/users', 'server/auth-plugin.js', 'server/same-origin.js'],
  server: ['server', 'services', 'domain', 'lib', 'runtimes', 'gateway', 'db', 'metrics'],
  'server/routes': ['server', 'services', 'domain', 'lib', 'runtimes', 'gateway'],
  cli: ['cli', 'domain', 'lib'],
  web: ['web', 'domain'],
};

const under = (target, entry) => target === entry || target.startsWith(`${entry}/`);

function layerOf(file) {
  let best;
  for (const layer of Object.keys(LAYERS)) if (under(file, layer) && (!best || layer.length > best.length)) best = layer;
  return best;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each folder of src/ imports only the folders src/README.md allows it.' },
    schema: [],
    messages: { forbidden: 'src/{{layer}}/ may not import src/{{target}} (allowed: {{allowed}}; see src/README.md).' },
  },
  create(context) {
    const src = path.join(context.cwd, 'src');
    const file = path.relative(src, context.filename).split(path.sep).join('/');
    if (file.startsWith('..')) return {};
    const layer = layerOf(file);
    if (!layer) return {};
    const allowed = LAYERS[layer];
    const check = (node) => {
      const source = node.source;
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.relative(src, path.resolve(path.dirname(context.filename), source.value)).split(path.sep).join('/');
      if (target.startsWith('..')) return;
      if (allowed.some((entry) => under(target, entry))) return;
      context.report({ node: source, messageId: 'forbidden', data: { layer, target, allowed: allowed.join(', ') } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
