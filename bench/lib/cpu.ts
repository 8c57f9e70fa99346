/**
 * What one core of the benchmark machine can do, for the roofline: the
 * CPU's identity and SIMD flags (from /proc/cpuinfo where there is one)
 * and its clock, measured rather than taken from a spec sheet (a virtual
 * machine reports the base clock, and its turbo depends on the host).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { assembleModule, FunctionEmitter, ValType } from '../../src/backend/wasm/assembler.js';

/** Where a column's kernels run, for the peak they are measured against. */
export type Peak = 'wasm128' | 'native';

export interface CpuFacts {
  /** The model name, with family and model numbers where the kernel lists them. */
  model: string;
  /** Of the flags that set a peak, those the CPU reports: `avx2`, `fma`, `avx512f`. */
  flags: string[];
  /** The clock while a core is busy, in GHz: the fastest of several probes. */
  clockGHz: number;
  /** Floating-point operations per cycle on one core, per kind of code (see {@link flopsPerCycle}). */
  flopsPerCycle: Record<Peak, number>;
}

/** Links of the probe's dependent chain per loop pass. */
const CHAIN = 32;
const PROBE_PASSES = 5e6;
const PROBES = 7;

/**
 * A wasm loop whose passes each run a chain of `CHAIN` dependent integer
 * additions and subtractions (`x = x + step − n`): each takes one cycle on
 * every x86-64 and ARM64 core and none can start before the one it
 * depends on, so chain links per second is the clock. The loop counter
 * runs beside the chain, and the result is stored, so nothing is folded.
 */
function clockProbe(): (passes: number) => void {
  const f = new FunctionEmitter('chain', [ValType.i32, ValType.i32]);
  const [n, step] = f.params(2);
  const x = f.local(ValType.i32);
  f.loop();
  for (let i = 0; i < CHAIN / 2; i++) f.local_get(x).local_get(step).i32_add().local_get(n).i32_sub().local_set(x);
  f.local_get(n).i32_const(1).i32_sub().local_tee(n).br_if(0);
  f.end();
  f.i32_const(0).f32_const(1).f32_const(0).local_get(x).select().f32_store();
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { chain } = new WebAssembly.Instance(new WebAssembly.Module(assembleModule([f])), { env: { memory } }).exports as { chain(n: number, step: number): void };
  return (passes) => chain(passes, 3);
}

/** The clock in GHz: the fastest of {@link PROBES} probes (the least disturbed), after one to compile the loop's fast tier. */
export function measureClockGHz(): number {
  const probe = clockProbe();
  probe(PROBE_PASSES);
  let best = 0;
  for (let i = 0; i < PROBES; i++) {
    const start = performance.now();
    probe(PROBE_PASSES);
    best = Math.max(best, (CHAIN * PROBE_PASSES) / ((performance.now() - start) / 1000) / 1e9);
  }
  return best;
}

/** The first value of `key` in /proc/cpuinfo, or null. */
function cpuinfoField(cpuinfo: string, key: string): string | null {
  const match = new RegExp(`^${key}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo);
  return match === null ? null : match[1]!.trim();
}

/**
 * Floating-point operations per cycle on one core with fused
 * multiply-add, assuming two FMA pipes (every x86-64 core since Haswell
 * and Zen): 128-bit WebAssembly SIMD does 2 pipes × 4 float32 lanes × 2
 * (multiply and add) = 16; native code does 32 with 256-bit AVX2 FMA
 * (also Zen 4's AVX-512, which splits 512-bit operations in two), 64 with
 * two 512-bit FMA units (Intel cores that have them: `avx512f` on an Intel
 * vendor is taken to mean so, which some models do not meet), 16 without
 * an `fma` flag (ARM64 lists none; its peak is not modelled here). Code
 * without FMA issues a multiply and an add: on Zen, with two multiply and
 * two add pipes, the same peak; on Intel cores, whose adds share the FMA
 * ports, half.
 */
function flopsPerCycle(flags: readonly string[], vendor: string | null): Record<Peak, number> {
  const native = flags.includes('avx512f') && vendor === 'GenuineIntel' ? 64 : flags.includes('fma') ? 32 : 16;
  return { wasm128: 16, native };
}

/** The CPU's facts: /proc/cpuinfo's where it exists (Linux), `os.cpus()`'s model elsewhere, and the measured clock. */
export function cpuFacts(): CpuFacts {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // Not Linux: the model name from os.cpus() and no flags.
  }
  const name = cpuinfoField(cpuinfo, 'model name') ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const family = cpuinfoField(cpuinfo, 'cpu family');
  const modelNumber = cpuinfoField(cpuinfo, 'model');
  const reported = new Set((cpuinfoField(cpuinfo, 'flags') ?? '').split(/\s+/));
  const flags = ['avx2', 'fma', 'avx512f'].filter((flag) => reported.has(flag));
  return {
    model: family === null || modelNumber === null ? name : `${name} (family ${family}, model ${modelNumber})`,
    flags,
    clockGHz: measureClockGHz(),
    flopsPerCycle: flopsPerCycle(flags, cpuinfoField(cpuinfo, 'vendor_id')),
  };
}
