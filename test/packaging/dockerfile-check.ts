// What the Dockerfile must keep true, checked by reading it (no registry is reachable here, so the
// image cannot be built in CI): a parser for the instructions we use and the rules, each giving a
// readable problem. dockerfile.test.ts runs them on the real file and on broken variants.

export interface Instruction {
  keyword: string;
  /** Flags such as --from=build, in order. */
  flags: string[];
  /** What follows the keyword and its flags, continuation lines joined. */
  args: string;
}

export interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${pending}${line}`.trim());
    pending = '';
  }
  if (pending) logical.push(pending.trim());
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical.filter(Boolean)) {
    const [word = '', ...rest] = line.split(/\s+/);
    const flags: string[] = [];
    while (rest[0]?.startsWith('--')) flags.push(rest.shift() as string);
    const instruction = { keyword: word.toUpperCase(), flags, args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ image: match?.[1] ?? instruction.args, name: match?.[2], instructions: [] });
    } else if (stages.length === 0) {
      globalArgs.push(instruction);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args: globalArgs, stages };
}

/** The elements of an exec-form (JSON array) argument, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** KEY=value pairs of an ENV or ARG instruction (the quoted forms this project writes). */
export function assignments(args: string): Array<{ name: string; value: string | undefined }> {
  return [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("[^"]*"|\S*))?/g)].map((match) => ({
    name: match[1] as string,
    value: match[2]?.replace(/^"|"$/g, ''),
  }));
}

/** Whether a path of the build context is left out by .dockerignore (root-anchored patterns, `*` within a name). */
export function dockerIgnored(ignore: string, contextPath: string): boolean {
  const patterns = ignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const parts = contextPath.replace(/^\.\//, '').split('/');
  return patterns.some((pattern) => {
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    return parts.some((_, index) => regex.test(parts.slice(0, index + 1).join('/')));
  });
}

const SECRET_NAME = /SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE|CREDENTIAL|DATABASE_URL|REDIS_URL/i;
const SECRET_TEXT = /-----BEGIN [A-Z ]*PRIVATE KEY-----|sk-hmas-[A-Za-z0-9]|postgres(?:ql)?:\/\/[^\s/]*:[^\s@]*@/;

const runs = (stage: Stage | undefined, pattern: RegExp) => stage?.instructions.some((i) => i.keyword === 'RUN' && pattern.test(i.args)) ?? false;

/** Everything wrong with the Dockerfile against H-MAS's packaging rules; empty when it is right. */
export function dockerfileProblems(dockerfile: string, options: { dockerignore: string; contextHas: (path: string) => boolean }): string[] {
  const problems: string[] = [];
  const { args, stages } = parseDockerfile(dockerfile);
  const final = stages.at(-1);
  if (stages.length < 2 || !final) return ['it is not a multi-stage build (one FROM)'];
  const byName = new Map(stages.filter((stage) => stage.name).map((stage) => [stage.name as string, stage]));
  const parentOf = (stage: Stage | undefined) => (stage ? byName.get(stage.image) : undefined);
  const ranInLine = (stage: Stage | undefined, pattern: RegExp): boolean => stage !== undefined && (runs(stage, pattern) || ranInLine(parentOf(stage), pattern));
  const finalOnly = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);

  for (const stage of stages.slice(0, -1)) if (!stage.name) problems.push(`the stage FROM ${stage.image} has no name (FROM … AS name)`);
  const base = [...args, ...stages.flatMap((stage) => stage.instructions)].filter((i) => i.keyword === 'ARG').flatMap((i) => assignments(i.args));
  const images = stages.map((stage) => stage.image.replace(/^\$\{?(\w+)\}?$/, (_, name: string) => base.find((a) => a.name === name)?.value ?? stage.image));
  if (!images.some((image) => /^node:20[.-]/.test(image))) problems.push(`no stage builds on Node 20 (node:20…): ${images.join(', ')}`);

  const user = finalOnly('USER').at(-1)?.args.split(':')[0];
  if (user === undefined) problems.push('the final stage sets no USER: the image would run as root');
  else if (user === 'root' || user === '0') problems.push(`the final stage runs as root (USER ${user})`);

  if (!finalOnly('EXPOSE').some((i) => i.args.split(/\s+/).some((port) => port.replace(/\/tcp$/, '') === '8080'))) problems.push('the final stage does not EXPOSE 8080');
  if (!finalOnly('HEALTHCHECK').some((i) => i.args.includes('/healthz'))) problems.push('no HEALTHCHECK on /healthz in the final stage');
  const entrypoint = execForm(finalOnly('ENTRYPOINT').at(-1)?.args ?? '');
  if (entrypoint?.[0] !== 'hmas') problems.push('the ENTRYPOINT is not ["hmas"] (exec form)');
  if (JSON.stringify(execForm(finalOnly('CMD').at(-1)?.args ?? '')) !== '["server"]') problems.push('the default CMD is not ["server"]');
  if (!runs(final, /ln -s \S*dist\/main\/cli\.js \S*\/hmas\b/)) problems.push('nothing puts `hmas` (dist/main/cli.js) on the PATH');

  const dataDir = finalOnly('ENV').flatMap((i) => assignments(i.args)).find((a) => a.name === 'HMAS_DATA_DIR')?.value;
  const volumes = finalOnly('VOLUME').flatMap((i) => execForm(i.args) ?? i.args.split(/\s+/));
  if (!dataDir) problems.push('the final stage does not set HMAS_DATA_DIR');
  else if (!volumes.includes(dataDir)) problems.push(`the data directory ${dataDir} is not a VOLUME`);

  const copies = finalOnly('COPY');
  const copiedFrom = (what: RegExp) => copies.filter((i) => what.test(i.args.split(/\s+/)[0] ?? '')).map((i) => i.flags.find((f) => f.startsWith('--from='))?.slice('--from='.length));
  const distFrom = copiedFrom(/(^|\/)dist\/?$/);
  if (!distFrom.some((from) => from && ranInLine(byName.get(from), /npm run build\b/))) problems.push('dist/ is not copied from a stage that runs `npm run build`');
  const modulesFrom = copiedFrom(/(^|\/)node_modules\/?$/);
  if (modulesFrom.length === 0) problems.push('node_modules is not copied into the final stage');
  for (const from of modulesFrom) {
    if (!from || !ranInLine(byName.get(from), /npm ci\b.*--omit=dev/)) problems.push(`node_modules is copied from ${from ?? 'the build context'}, not from a stage that runs \`npm ci --omit=dev\``);
  }

  for (const stage of stages) {
    for (const copy of stage.instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.flags.some((f) => f.startsWith('--from=')))) {
      const sources = (execForm(copy.args) ?? copy.args.split(/\s+/)).slice(0, -1);
      for (const source of sources) {
        if (source === '.' || source === './') problems.push(`stage ${stage.name ?? stage.image} copies the whole build context (${copy.keyword} ${copy.args})`);
        else if (!options.contextHas(source)) problems.push(`${copy.keyword} ${source}: no such file in the repository`);
        else if (dockerIgnored(options.dockerignore, source)) problems.push(`${copy.keyword} ${source}: left out by .dockerignore`);
      }
    }
  }

  for (const instruction of [...args, ...stages.flatMap((stage) => stage.instructions)]) {
    if (instruction.keyword === 'ENV' || instruction.keyword === 'ARG') {
      for (const { name, value } of assignments(instruction.args)) {
        if (SECRET_NAME.test(name) && value) problems.push(`${instruction.keyword} ${name} gives a secret a value in the image`);
      }
    }
    if (SECRET_TEXT.test(instruction.args)) problems.push(`${instruction.keyword} carries what looks like a credential`);
  }
  for (const needed of ['.git', 'node_modules', 'dist', '.hmas', '.env', 'x.kubeconfig']) {
    if (!dockerIgnored(options.dockerignore, needed)) problems.push(`.dockerignore lets ${needed} into the build context`);
  }
  return problems;
}
