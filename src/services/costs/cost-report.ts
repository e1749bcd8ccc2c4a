import type { CostGroup, CostReport, CostRow, CostRowKind } from '../../domain/costs.js';

/** GPU-seconds of one deployment on one cluster and GPU model ('' = not known), within the range. */
export interface UsageAggregate {
  deploymentId: string;
  deploymentName: string;
  clusterName: string;
  gpuModel: string;
  gpuSeconds: number;
}

/** Tokens of one deployment on one cluster by one API key (null: session requests), within the range. */
export interface TokenAggregate {
  deploymentId: string;
  deploymentName: string;
  clusterName: string | null;
  apiKeyId: string | null;
  prompt: number;
  completion: number;
}

export interface CostReportInput {
  groupBy: CostGroup;
  from: Date;
  to: Date;
  usage: readonly UsageAggregate[];
  tokens: readonly TokenAggregate[];
  prices: ReadonlyMap<string, { pricePerGpuHour: number; currency: string }>;
  /** Names and owners of the API keys in `tokens` (deleted keys are missing). */
  keys: ReadonlyMap<string, { name: string; ownerId: string; ownerUsername: string }>;
  /** Set for a viewer: other users' keys are shown together as one row. */
  viewerId?: string | undefined;
  notes?: string[];
}

/** A row being summed up. `unpriced`: GPU models of its GPU time that have no price. */
interface Tally {
  kind: CostRowKind;
  id: string | null;
  name: string;
  details: Set<string>;
  gpuSeconds: number;
  cost: number;
  unpriced: Set<string>;
  prompt: number;
  completion: number;
}

const tally = (kind: CostRowKind, id: string | null, name: string): Tally => ({ kind, id, name, details: new Set(), gpuSeconds: 0, cost: 0, unpriced: new Set(), prompt: 0, completion: 0 });
const round = (value: number) => Math.round(value * 1e6) / 1e6;
const modelLabel = (model: string) => (model === '' ? 'an unnamed GPU model (the cluster inventory names none)' : `"${model}"`);

/** Adds `share` of `source`'s GPU time and cost into `into`. */
function addShare(into: Tally, source: Pick<Tally, 'gpuSeconds' | 'cost' | 'unpriced'>, share: number): void {
  into.gpuSeconds += source.gpuSeconds * share;
  into.cost += source.cost * share;
  for (const model of source.unpriced) into.unpriced.add(model);
}

function toRow(t: Tally): CostRow {
  const total = t.prompt + t.completion;
  const cost = t.unpriced.size > 0 ? null : round(t.cost);
  const costReason = cost === null ? `No price for ${[...t.unpriced].sort().map(modelLabel).join(', ')}: set it under GPU prices.` : null;
  const perMillion = cost !== null && total > 0 ? round((cost / total) * 1e6) : null;
  const perMillionReason = total === 0 ? 'No tokens served in this range.' : cost === null ? 'The cost is unknown.' : null;
  return {
    kind: t.kind,
    id: t.id,
    name: t.name,
    detail: t.details.size > 0 ? [...t.details].sort().join(', ') : null,
    gpuHours: round(t.gpuSeconds / 3600),
    cost,
    costReason,
    tokens: { prompt: t.prompt, completion: t.completion, total },
    costPerMillionTokens: perMillion,
    costPerMillionTokensReason: perMillionReason,
  };
}

/** One tally per key, made on first use. */
function tallies() {
  const map = new Map<string, Tally>();
  return {
    map,
    get(key: string, make: () => Tally): Tally {
      let found = map.get(key);
      if (!found) map.set(key, (found = make()));
      return found;
    },
  };
}

/**
 * The report from the range's aggregates. Cost is GPU time × today's price of its GPU model.
 * Per API key, each deployment's GPU time and cost is split among the callers by their share of
 * its tokens; the GPU time of deployments that served none goes to one `idle` row, so every
 * grouping adds up to the same total.
 */
export function buildCostReport(input: CostReportInput): CostReport {
  const deployments = tallies();
  const clusters = tallies();
  const total = tally(input.groupBy, null, 'Total');
  const deploymentOf = (id: string, name: string) => deployments.get(id, () => tally('deployment', id, name));

  for (const usage of input.usage) {
    const price = input.prices.get(usage.gpuModel);
    const part = { gpuSeconds: usage.gpuSeconds, cost: price ? (usage.gpuSeconds / 3600) * price.pricePerGpuHour : 0, unpriced: new Set(price ? [] : [usage.gpuModel]) };
    const deployment = deploymentOf(usage.deploymentId, usage.deploymentName);
    deployment.details.add(usage.clusterName);
    addShare(deployment, part, 1);
    addShare(clusters.get(usage.clusterName, () => tally('cluster', null, usage.clusterName)), part, 1);
    addShare(total, part, 1);
  }
  for (const tokens of input.tokens) {
    const deployment = deploymentOf(tokens.deploymentId, tokens.deploymentName);
    deployment.prompt += tokens.prompt;
    deployment.completion += tokens.completion;
    if (tokens.clusterName) deployment.details.add(tokens.clusterName);
    const cluster = clusters.get(tokens.clusterName ?? '', () => tally('cluster', null, tokens.clusterName ?? '(no cluster)'));
    cluster.prompt += tokens.prompt;
    cluster.completion += tokens.completion;
    total.prompt += tokens.prompt;
    total.completion += tokens.completion;
  }

  let rows: Tally[];
  if (input.groupBy === 'deployment') rows = [...deployments.map.values()];
  else if (input.groupBy === 'cluster') rows = [...clusters.map.values()];
  else rows = byApiKey(input, deployments.map);

  const sorted = rows.map(toRow).sort((a, b) => b.gpuHours - a.gpuHours || b.tokens.total - a.tokens.total || a.name.localeCompare(b.name));
  const pricedCurrency = [...input.prices.values()][0]?.currency ?? null;
  const unpriced = new Set([...deployments.map.values()].flatMap((deployment) => [...deployment.unpriced]));
  return {
    groupBy: input.groupBy,
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    currency: pricedCurrency,
    rows: sorted,
    total: toRow(total),
    unpricedGpuModels: [...unpriced].sort(),
    notes: input.notes ?? [],
  };
}

/** Each deployment's GPU time and cost shared among its callers by tokens; deployments without tokens go to `idle`. */
function byApiKey(input: CostReportInput, deployments: ReadonlyMap<string, Tally>): Tally[] {
  const callers = tallies();
  const callerOf = (apiKeyId: string | null): Tally => {
    if (apiKeyId === null) return callers.get('session', () => tally('session', null, 'Session requests (no API key)'));
    const key = input.keys.get(apiKeyId);
    if (input.viewerId !== undefined && key?.ownerId !== input.viewerId) return callers.get('otherUsers', () => tally('otherUsers', null, "Other users' API keys"));
    return callers.get(`key:${apiKeyId}`, () => {
      const row = tally('apiKey', apiKeyId, key?.name ?? `deleted key ${apiKeyId.slice(0, 8)}`);
      if (key) row.details.add(key.ownerUsername);
      return row;
    });
  };
  const tokensOf = new Map<string, TokenAggregate[]>();
  for (const tokens of input.tokens) tokensOf.set(tokens.deploymentId, [...(tokensOf.get(tokens.deploymentId) ?? []), tokens]);
  for (const deployment of deployments.values()) {
    const served = deployment.prompt + deployment.completion;
    if (served === 0) {
      if (deployment.gpuSeconds > 0) addShare(callers.get('idle', () => tally('idle', null, 'GPU time without tokens served')), deployment, 1);
      continue;
    }
    for (const tokens of tokensOf.get(deployment.id!) ?? []) {
      const caller = callerOf(tokens.apiKeyId);
      caller.prompt += tokens.prompt;
      caller.completion += tokens.completion;
      addShare(caller, deployment, (tokens.prompt + tokens.completion) / served);
    }
  }
  return [...callers.map.values()];
}
