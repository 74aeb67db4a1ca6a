import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The run writes temporary files under a directory of its own and fails if it leaves llmsim-* entries there.
    globalSetup: ['test/support/tmp-guard.ts'],
    // Policies' solvers load asynchronously (the CLI awaits loadPolicies); tests get them preloaded.
    setupFiles: ['test/support/solvers.ts'],
    // Statistical oracle tests simulate many requests; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
