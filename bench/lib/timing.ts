import type { Measurement } from './protocol.js';

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Summarises one rate per timed section. */
export function summarize(samples: readonly number[], unit: string): Measurement {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), unit, samples: [...samples] };
}

/**
 * Times `reps` sections of at least `seconds` each and returns units per
 * second. `run(count)` performs `count` calls, each worth `unitsPerCall`
 * units (samples in a batch, GFLOP in a product). Calls are issued in
 * chunks that double while a chunk takes under 1/50 of a section, so the
 * clock is read rarely on microsecond-sized calls and at most one slow
 * call overshoots a section.
 */
export function measureRate(run: (count: number) => void, options: { seconds: number; reps: number; unitsPerCall: number; unit: string }): Measurement {
  const samples: number[] = [];
  let chunk = 1;
  for (let rep = 0; rep < options.reps; rep++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < options.seconds * 1000) {
      const before = performance.now();
      run(chunk);
      calls += chunk;
      const now = performance.now();
      elapsed = now - start;
      if (now - before < options.seconds * 20) chunk *= 2;
    }
    samples.push((calls * options.unitsPerCall) / (elapsed / 1000));
  }
  return summarize(samples, options.unit);
}

