// docs/kubernetes.md states facts the code owns: each runtime's default image, H-MAS's own image,
// the Koordinator names per cluster type and the annotations H-MAS writes. These checks keep the
// guide equal to the code, so a new image tag or a renamed annotation fails here until the guide says so.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SELF_IMAGE } from '../../src/clusters/kubernetes/workload-image.js';
import { ANNOTATIONS, LABELS } from '../../src/clusters/kubernetes/workload-manifests.js';
import { KOORDINATOR } from '../../src/clusters/kubernetes/workload-scheduling.js';
import { RUNTIME_IDS } from '../../src/domain/optimization.js';
import { RUNTIMES } from '../../src/runtimes/index.js';

const guide = readFileSync(new URL('../../docs/kubernetes.md', import.meta.url), 'utf8');
const rowOf = (first: string) => guide.split('\n').find((line) => line.startsWith(`| \`${first}\` |`));
const cells = (row: string | undefined) => (row ?? '').split('|').slice(1, -1).map((cell) => cell.trim());

describe('docs/kubernetes.md', () => {
  it("lists every runtime's default image and container command as its adapter has them", () => {
    for (const id of RUNTIME_IDS) {
      const adapter = RUNTIMES[id];
      const [, image, command] = cells(rowOf(id));
      expect(image, `image row of ${id}`).toBe(adapter.image ? `\`${adapter.image.repository}:${adapter.image.tag}\`` : '`selfImage`');
      if (adapter.command.container) expect(command, `command of ${id}`).toBe(`\`${adapter.command.container.join(' ')}\``);
      else if (adapter.image) expect(command, `command of ${id}`).toBe("the image's entrypoint");
    }
  });

  it("gives H-MAS's own image as the selfImage default", () => {
    expect(cells(rowOf('selfImage'))[1]).toBe(`\`${DEFAULT_SELF_IMAGE}\``);
  });

  it('gives the Koordinator scheduler, QoS label and priority class per cluster type', () => {
    expect(guide).toContain(`label \`${KOORDINATOR.qosLabel}\``);
    for (const [type, names] of Object.entries(KOORDINATOR.byType)) {
      expect(cells(rowOf(type)), `Koordinator row of ${type}`).toEqual([`\`${type}\``, `\`${KOORDINATOR.schedulerName}\``, `\`${names.qosClass}\``, `\`${names.priorityClassName}\``]);
    }
  });

  it('names the labels and annotations H-MAS writes', () => {
    for (const name of [...Object.values(LABELS), ANNOTATIONS.specHash, ANNOTATIONS.spec, ANNOTATIONS.pausedReplicas]) expect(guide).toContain(`\`${name}`);
  });
});
