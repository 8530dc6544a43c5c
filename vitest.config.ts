import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // BPF test runs and namespaces are real kernel work: give them room
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // end-to-end labs share the machine's two cores; run files one at a time
    fileParallelism: false,
    reporters: ['default'],
  },
});
