// The playground imports glassnet through its public entry points, resolved
// to the built package (dist/), the same modules Node and the CLI use.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const dist = (path: string): string => fileURLToPath(new URL(`../dist/src/${path}`, import.meta.url));

export default defineConfig({
  root,
  // Relative asset URLs: the built site works from any directory of any static server.
  base: './',
  resolve: {
    alias: [
      { find: /^glassnet\/explain$/, replacement: dist('explain/index.js') },
      { find: /^glassnet$/, replacement: dist('index.js') },
    ],
  },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1200 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  clearScreen: false,
});
