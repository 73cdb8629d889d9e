import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Kernel tests build namespaces and time real packets: run files one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/summaryReporter.ts'],
    // Every policy a test compiles is also checked and compiled by the command line, which must
    // report the same codes (see the file).
    setupFiles: ['./test/setup/checkMatchesCompile.ts'],
  },
});
