// The playground imports glassnet through its public entry points, which
// resolve like any package's: node_modules/glassnet is the workspace package
// packages/glassnet, built (npm run build), the same modules Node and the CLI use.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // Relative asset URLs: the built site works from any directory of any static server.
  base: './',
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1200 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  clearScreen: false,
});
