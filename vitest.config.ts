import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { entryPoints } from './test/helpers/entry-points.js';

export default defineConfig({
  resolve: {
    // Tests run the library from src/: a CLI module imported by a test gets
    // 'glassnet', 'glassnet/node', ... from the same sources the test imports,
    // so both share one copy of every class (GlassnetError, Tensor, ...).
    alias: entryPoints().map(({ specifier, source }) => ({
      find: new RegExp(`^${specifier}$`), replacement: fileURLToPath(new URL(source, import.meta.url)),
    })),
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Many tests spawn the CLI or a browser; on a busy 2-core machine 5 s is too tight.
    testTimeout: 60_000,
  },
});
