// The Dockerfile cannot be built here (no registry for the base image): these checks read it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/kube-node-layout.js';
import { dockerIgnored, dockerfileProblems, parseDockerfile } from './dockerfile-check.js';

const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8');
const contextHas = (source: string) => existsSync(path.join(REPO_ROOT, source));
const problemsOf = (text: string, ignore = dockerignore) => dockerfileProblems(text, { dockerignore: ignore, contextHas });

describe('Dockerfile', () => {
  it('follows every packaging rule: stages, non-root user, port, health check, entrypoint, data volume, production dependencies, no secrets', () => {
    expect(problemsOf(dockerfile)).toEqual([]);
  });

  it('builds in named stages and runs the image from the last one', () => {
    const { stages } = parseDockerfile(dockerfile);
    expect(stages.map((stage) => stage.name)).toEqual(['deps', 'build', 'prod-deps', 'runtime']);
  });

  it('copies into the build context only files the repository has and .dockerignore lets in', () => {
    for (const source of ['package.json', 'package-lock.json', 'tsconfig.json', 'src']) {
      expect(contextHas(source), source).toBe(true);
      expect(dockerIgnored(dockerignore, source), source).toBe(false);
    }
  });

  describe('reports what breaks the rules', () => {
    const variant = (from: string | RegExp, to: string) => {
      const changed = dockerfile.replace(from, to);
      expect(changed, `the Dockerfile no longer contains ${String(from)}`).not.toBe(dockerfile);
      return problemsOf(changed);
    };

    it.each([
      ['running as root', 'USER 10001:10001', 'USER root', 'runs as root'],
      ['running as uid 0', 'USER 10001:10001', 'USER 0:0', 'runs as root'],
      ['no USER', 'USER 10001:10001\n', '', 'sets no USER'],
      ['another port', 'EXPOSE 8080', 'EXPOSE 3000', 'EXPOSE 8080'],
      ['no health check', /HEALTHCHECK[^\n]*\\\n[^\n]*\n/, '', 'HEALTHCHECK'],
      ['a shell-form entrypoint', 'ENTRYPOINT ["hmas"]', 'ENTRYPOINT hmas', 'ENTRYPOINT'],
      ['another default command', 'CMD ["server"]', 'CMD ["migrate"]', 'CMD'],
      ['no data volume', 'VOLUME ["/var/lib/hmas"]', '', 'not a VOLUME'],
      ['development dependencies shipped', 'COPY --from=prod-deps /src/node_modules', 'COPY --from=deps /src/node_modules', 'npm ci --omit=dev'],
      ['node_modules from the build context', 'COPY --from=prod-deps /src/node_modules', 'COPY node_modules', 'node_modules'],
      ['a secret baked in', 'HMAS_PORT=8080 \\', 'HMAS_PORT=8080 HMAS_JWT_SECRET=0123456789abcdef0123456789abcdef \\', 'HMAS_JWT_SECRET'],
      ['a database password baked in', 'HMAS_PORT=8080 \\', 'HMAS_PORT=8080 PGURL=postgres://hmas:hunter2@db/hmas \\', 'credential'],
      ['the whole context copied', 'COPY src ./src', 'COPY . .', 'whole build context'],
      ['a file the repository lacks', 'COPY tsconfig.json ./', 'COPY tsconfig.build.json ./', 'no such file'],
      ['unnamed stages', /^FROM \$\{NODE_IMAGE\} AS (deps|build|prod-deps)$/gm, 'FROM scratch-$1', 'no name'],
    ])('%s', (_, from, to, expected) => {
      expect(variant(from, to).join('\n')).toContain(expected);
    });

    it('a single-stage build', () => {
      expect(problemsOf('FROM node:20-bookworm-slim\nCOPY . .\nCMD ["server"]\n')).toEqual(['it is not a multi-stage build (one FROM)']);
    });

    it('a .dockerignore that lets local state or credentials in', () => {
      expect(problemsOf(dockerfile, dockerignore.replace(/^\.hmas$/m, '').replace(/^\*\.kubeconfig$/m, ''))).toEqual([
        '.dockerignore lets .hmas into the build context',
        '.dockerignore lets x.kubeconfig into the build context',
      ]);
    });

    it('a .dockerignore that leaves out what the build copies', () => {
      expect(problemsOf(dockerfile, `${dockerignore}\nsrc\n`)).toEqual(['COPY src: left out by .dockerignore']);
    });
  });
});
