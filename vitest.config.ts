import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Many tests spawn the CLI or a browser; on a busy 2-core machine 5 s is too tight.
    testTimeout: 60_000,
  },
});
