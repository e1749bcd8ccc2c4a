import { z } from 'zod';
import { costQuerySchema, costReportSchema, gpuModelParamsSchema, gpuPriceListSchema, gpuPriceSchema, putGpuPriceSchema } from '../../domain/costs.js';
import { costReportCsv, costReportFileName } from '../../domain/costs-csv.js';
import type { CostService } from '../../services/costs/cost-service.js';
import type { GpuPriceService } from '../../services/costs/gpu-price-service.js';
import { principalOf } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

const audit = (verb: string) => ({ action: `gpu-price.${verb}`, resourceType: 'gpu-price' });

/**
 * Costs: GPU prices (every role reads them; admins set them, audited) and cost reports (every
 * role; a viewer sees other users' API keys as one row, as the request log shows viewers only
 * their own requests).
 */
export function registerCostRoutes(app: ZodApp, deps: { costs: CostService; prices: GpuPriceService }): void {
  app.get('/api/costs', {
    schema: {
      tags: ['costs'],
      summary:
        'Cost report over a range (default the last 30 days, at most 400): GPU-hours, cost (GPU time × price per GPU-hour), tokens and cost per million tokens, per deployment, API key or cluster. format=csv (or Accept: text/csv) answers a CSV download.',
      querystring: costQuerySchema,
      response: { 200: z.union([costReportSchema, z.string().describe('The report as CSV (format=csv, or Accept: text/csv).')]) },
    },
    config: { access: 'viewer' },
    handler: async (request, reply) => {
      const report = await deps.costs.report(request.query, principalOf(request));
      const csv = request.query.format === 'csv' || (request.query.format === undefined && /\btext\/csv\b/i.test(request.headers.accept ?? ''));
      if (!csv) return report;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${costReportFileName(report)}"`)
        .send(costReportCsv(report));
    },
  });

  app.get('/api/settings/gpu-prices', {
    schema: {
      tags: ['costs'],
      summary: "GPU models of the clusters' inventories (and any with usage or a price), each with its price per GPU-hour or null (blank by default).",
      response: { 200: gpuPriceListSchema },
    },
    config: { access: 'viewer' },
    handler: async () => deps.prices.list(),
  });

  app.put('/api/settings/gpu-prices/:model', {
    schema: {
      tags: ['costs'],
      summary: 'Set the price per GPU-hour of a GPU model (named as the inventory names it, URL-encoded). One currency for every price: another is 409 CURRENCY_MISMATCH.',
      params: gpuModelParamsSchema,
      body: putGpuPriceSchema,
      response: { 200: gpuPriceSchema },
    },
    config: { access: 'admin', audit: audit('set') },
    handler: async (request) => {
      const { model } = request.params;
      request.auditNote.resourceId = model;
      request.auditNote.summary = `set the price of GPU model ${model} to ${request.body.pricePerGpuHour} ${request.body.currency} per GPU-hour`;
      return deps.prices.put(model, request.body, principalOf(request).username);
    },
  });

  app.delete('/api/settings/gpu-prices/:model', {
    schema: { tags: ['costs'], summary: 'Remove the price of a GPU model (its cost becomes unknown).', params: gpuModelParamsSchema },
    config: { access: 'admin', audit: audit('delete') },
    handler: async (request, reply) => {
      const { model } = request.params;
      request.auditNote.resourceId = model;
      request.auditNote.summary = `remove the price of GPU model ${model}`;
      await deps.prices.remove(model);
      return reply.code(204).send();
    },
  });
}
