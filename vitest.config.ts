import { defineConfig } from 'vitest/config';

// Suites that run against the real Kubernetes node (test/support/kube-node.ts). They form the
// `kube` project, whose global setup finds or starts the node: only a run that includes one of
// them pays for it (`npx vitest run src/x.test.ts` starts nothing). In a whole run the node is
// there for every suite, whichever project it is in.
const kubeSuites = ['test/k8s/**/*.test.ts', 'test/**/*{kubernetes,karmada,federation,image-warmer}*.test.ts'];
const allSuites = ['src/**/*.test.ts', 'test/**/*.test.ts'];
const excluded = ['src/web/**', 'node_modules/**', 'dist/**'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI machines: keep the number of PGlite instances and browsers small.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'main', include: allSuites, exclude: [...excluded, ...kubeSuites] } },
      {
        extends: true,
        test: { name: 'kube', include: kubeSuites, exclude: excluded, globalSetup: ['test/support/kube-node.global-setup.ts'] },
      },
    ],
  },
});
