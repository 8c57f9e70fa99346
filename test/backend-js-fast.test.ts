import { createJsFastBackend, jsFastBackend } from '../src/backend/js-fast.js';
import { runBackendSuite } from './backend.suite.js';

runBackendSuite('js-fast', () => jsFastBackend);
// Every product tiled, so the small and thin shapes reach the edge tiles.
runBackendSuite('js-fast (always tiled)', () => createJsFastBackend({ forceKernel: true }), { smallWorkContract: false });
