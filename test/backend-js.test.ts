import { afterEach, describe, expect, it } from 'vitest';
import { GlassnetError } from '../src/errors.js';
import { getBackend, jsBackend, setBackend, wasmSimdSupported, type BackendName } from '../src/backend/index.js';
import { runBackendSuite } from './backend.suite.js';

// The contract's checks compare a backend with jsBackend: run on jsBackend itself, they could not fail.
runBackendSuite('js', () => jsBackend, { smallWorkContract: false });

describe('backend selection', () => {
  afterEach(() => setBackend('js'));

  it('the fastest available backend is the default, and setBackend switches by name', () => {
    expect(getBackend().name).toBe(wasmSimdSupported() ? 'wasm' : 'js-fast');
    expect(setBackend('js-fast')).toBe('js-fast');
    expect(getBackend().name).toBe('js-fast');
    expect(setBackend('js')).toBe('js');
    expect(getBackend()).toBe(jsBackend);
  });

  it('an unknown name throws a GlassnetError naming the argument and changes nothing', () => {
    setBackend('js-fast');
    const before = getBackend();
    let error: unknown;
    try {
      setBackend('gpu' as BackendName);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlassnetError);
    expect(error).toMatchObject({ code: 'unknown-name', argument: 'backend', found: '"gpu"' });
    expect(getBackend()).toBe(before);
  });
});
