// The bench's arithmetic over rounds: pooling a (column, workload)'s
// processes, and pairing rounds when a ratio is taken. Benchmarks are not
// tests, but the numbers they print go into the README.
import { describe, expect, it } from 'vitest';
import type { RunnerResult } from '../bench/lib/protocol.js';
import { ratioOf } from '../bench/lib/report.js';
import { mergeRounds } from '../bench/lib/rounds.js';

/** One runner process's result (an odd number of samples, so the median is one of them). */
function process(library: string, samples: number[], extra: Partial<RunnerResult> = {}): RunnerResult {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    library, workload: 'gemm512', median: sorted[sorted.length >> 1]!, min: sorted[0]!, max: sorted[sorted.length - 1]!, unit: 'GFLOP/s', samples,
    check: { ok: true, detail: 'fine' }, rssPeakMB: 50, config: {}, ...extra,
  };
}

describe('mergeRounds', () => {
  it('pools the sections of every process: median, min, max, highest peak RSS, the count', () => {
    const merged = mergeRounds([process('a', [18]), process('a', [23.5], { rssPeakMB: 70 }), process('a', [15])]) as RunnerResult;
    expect([merged.median, merged.min, merged.max, merged.rssPeakMB, merged.processes]).toEqual([18, 15, 23.5, 70, 3]);
    expect(merged.samples).toEqual([18, 23.5, 15]);
  });

  it('keeps a failed check, and a skipped or crashed process makes the whole result that', () => {
    const failed = mergeRounds([process('a', [1]), process('a', [2], { check: { ok: false, detail: 'wrong' } })]) as RunnerResult;
    expect(failed.check).toEqual({ ok: false, detail: 'wrong' });
    expect(mergeRounds([process('a', [1]), { library: 'a', workload: 'gemm512', error: 'boom' }])).toEqual({ library: 'a', workload: 'gemm512', error: 'boom' });
  });
});

describe('ratioOf', () => {
  it('takes the median of the rounds’ own ratios when both sides ran in the same rounds', () => {
    const glassnet = mergeRounds([process('g', [18.1]), process('g', [23.5]), process('g', [15])]) as RunnerResult;
    const peer = mergeRounds([process('p', [25]), process('p', [21.1]), process('p', [14])]) as RunnerResult;
    // Ratios per round 0.724, 1.114, 1.071: the median is round 3's; the ratio of the medians would be 18.1 / 21.1 = 0.86.
    expect(ratioOf(glassnet, peer)).toBe(15 / 14);
  });

  it('falls back to the ratio of the medians for a single process', () => {
    expect(ratioOf(process('g', [10, 12, 11]), process('p', [5, 4, 6]))).toBe(11 / 5);
  });
});
