import type { KubernetesWorkloadSettings } from '../../domain/cluster.js';
import type { RuntimeId } from '../../domain/optimization.js';
import type { WorkloadSpec } from '../../domain/workload.js';

/**
 * What the Kubernetes driver needs of a runtime adapter to run it in a container (the adapters in
 * src/runtimes have these fields; compose builds the table, as clusters/ does not import runtimes/).
 */
export interface RuntimeImage {
  /** The official image, `repository:tag`; null = the runtime has none (the embedded one runs in H-MAS's image). */
  image: string | null;
  /** Program and leading arguments on a host (`['vllm', 'serve']`): a spec running exactly this runs the image's own program. */
  hostCommand: readonly string[];
  /** Replaces the image's entrypoint; null = keep it and pass the rendered args. */
  containerCommand: readonly string[] | null;
}
export type RuntimeImages = Partial<Record<RuntimeId, RuntimeImage>>;

/** H-MAS's own image (Dockerfile, issue 10 item 6): runs `self` commands, the embedded runtime. */
export const DEFAULT_SELF_IMAGE = 'ghcr.io/hmas/hmas:latest';
/** The hmas CLI in that image. */
export const SELF_IMAGE_COMMAND: readonly string[] = ['node', '/app/dist/main/cli.js'];

export interface ContainerProgram {
  image: string;
  /** Container `command` (replaces the entrypoint); undefined keeps the image's. */
  command?: string[];
  args: string[];
}

/** The registry host of an image reference: its first component when it looks like a host. */
function splitRegistry(image: string): { registry: string | null; path: string } {
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  if (first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost')) return { registry: first, path: image.slice(slash + 1) };
  // Docker Hub: single names are under library/.
  return { registry: null, path: slash === -1 ? `library/${image}` : image };
}

/** `image` pulled through `mirror` (air-gapped clusters): the registry host is replaced, the path kept. */
export function mirrorImage(image: string, mirror: string | undefined): string {
  if (!mirror) return image;
  return `${mirror.replace(/\/+$/, '')}/${splitRegistry(image).path}`;
}

/**
 * The image, command and args of a workload's container. A `self` command runs the hmas CLI of
 * H-MAS's image; a binary command runs in the runtime's image (or the cluster's override) —
 * through the image's own entrypoint when the spec runs the runtime's usual program, else the
 * program and args as written (a custom binary or an absolute path). Pure.
 */
export function containerProgram(spec: Pick<WorkloadSpec, 'runtime' | 'command'>, images: RuntimeImages, settings: Partial<KubernetesWorkloadSettings> = {}): ContainerProgram {
  if (spec.command.type === 'self') {
    return { image: mirrorImage(settings.selfImage ?? DEFAULT_SELF_IMAGE, settings.registryMirror), command: [...SELF_IMAGE_COMMAND], args: [...spec.command.args] };
  }
  const runtime = images[spec.runtime];
  const image = settings.images?.[spec.runtime] ?? runtime?.image ?? null;
  if (image === null) {
    throw new Error(`Runtime ${spec.runtime} has no container image: set one in the cluster's connection settings (workloads.images.${spec.runtime}).`);
  }
  const { binary, args } = spec.command;
  const [program, ...leading] = runtime?.hostCommand ?? [];
  const usual = program === binary && leading.every((arg, index) => args[index] === arg);
  const mirrored = mirrorImage(image, settings.registryMirror);
  if (usual && runtime) {
    const rest = args.slice(leading.length);
    return runtime.containerCommand ? { image: mirrored, command: [...runtime.containerCommand], args: rest } : { image: mirrored, args: rest };
  }
  return { image: mirrored, command: [binary], args: [...args] };
}
