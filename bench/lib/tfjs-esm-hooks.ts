/**
 * Node module hooks that let tfjs-core's ES-module files load in Node.
 * tfjs-core ships its gradient registrations only as extensionless ES
 * modules in a package without `"type": "module"`, and its Node bundle
 * leaves them out; without them tfjs cannot train. These hooks mark files
 * under tfjs-core/dist/ as ES modules and add the `.js` their imports omit.
 * The second copy of core they load shares the first copy's engine and
 * registries, which tfjs keeps on globalThis for exactly this case.
 */
import { readFile } from 'node:fs/promises';

const CORE_DIST = '/@tensorflow/tfjs-core/dist/';

interface ResolveContext { parentURL?: string | undefined }
interface Resolved { url: string; format?: string | null | undefined; shortCircuit?: boolean }
type NextResolve = (specifier: string, context: ResolveContext) => Promise<Resolved>;

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<Resolved> {
  const fromCore = context.parentURL?.includes(CORE_DIST) === true;
  if (fromCore && specifier.startsWith('.') && !specifier.endsWith('.js')) {
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
  return next(specifier, context);
}

interface Loaded { format: string; source?: string | ArrayBuffer | null | undefined; shortCircuit?: boolean }
type NextLoad = (url: string, context: object) => Promise<Loaded>;

export async function load(url: string, context: object, next: NextLoad): Promise<Loaded> {
  if (url.includes(CORE_DIST) && url.endsWith('.js') && !url.endsWith('tf-core.node.js')) {
    return { format: 'module', source: await readFile(new URL(url), 'utf8'), shortCircuit: true };
  }
  return next(url, context);
}
