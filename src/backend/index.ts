import type { Backend, BackendName } from './backend.js';
import { jsBackend } from './js.js';
import { GlassnetError } from '../errors.js';

export type { Backend, BackendName, BinaryKind, FloatArray, PointLossKind, UnaryKind } from './backend.js';
export { jsBackend } from './js.js';

let active: Backend = jsBackend;

/** The backend every op currently runs on. */
export function getBackend(): Backend {
  return active;
}

/** Selects the backend by name; throws a GlassnetError for an unknown name. */
export function setBackend(name: BackendName): void {
  switch (name) {
    case 'js':
      active = jsBackend;
      return;
    default:
      name satisfies never;
      throw new GlassnetError({ code: 'unknown-name', argument: 'backend', expected: '"js"', found: JSON.stringify(name) });
  }
}
