// The training progress display: Keras-style epoch lines within 80 columns, and a live line with the time left.
import pc from 'picocolors';
import { describe, expect, it, vi } from 'vitest';
import { LINE_WIDTH, LiveLine, bar, clock, createProgress, epochLine } from '../cli/progress.js';
import type { EpochInfo } from '../src/index.js';

/** A stream that keeps what is written. */
function sink(columns?: number): NodeJS.WriteStream & { text: string } {
  const stream = { text: '', columns, write(chunk: string) { stream.text += chunk; return true; } };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

const colors = pc.createColors(true);
// eslint-disable-next-line no-control-regex
const plain = (s: string): string => s.replace(/\u001b\[[0-9;]*[mK]/g, '');
const info = (epoch: number, extra: Partial<EpochInfo> = {}): EpochInfo => ({ epoch, steps: epoch * 10, loss: 0.5 / epoch, lr: 0.001, seconds: epoch * 0.1, ...extra });

describe('progress', () => {
  it('leaves one line per epoch on short runs and one every k epochs on long ones, the last always', () => {
    const short = sink();
    const p = createProgress('lines', 5, short, colors);
    for (let e = 1; e <= 5; e++) p.epoch(info(e));
    p.stop();
    expect(plain(short.text).split('\n').filter(Boolean).map((l) => l.split(/\s+/)[1])).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    const long = sink();
    const q = createProgress('lines', 4000, long, colors);
    for (let e = 1; e <= 1234; e++) q.epoch(info(e));
    q.stop(); // stopped early: the last epoch seen gets its line
    expect(plain(long.text).split('\n').filter(Boolean).map((l) => Number(/^epoch\s+(\d+)/.exec(l)![1]))).toEqual([200, 400, 600, 800, 1000, 1200, 1234]);
  });

  it('fits every epoch line in 80 columns, shortening accuracy to acc only when it must', () => {
    const full = info(4000, { loss: 12345.678, accuracy: 0.9667, valLoss: 1.5e-7, valAccuracy: 1, seconds: 12345.6 });
    const line = plain(epochLine(full, 40000, colors));
    expect(line.length).toBeLessThanOrEqual(LINE_WIDTH);
    expect(line).toContain('acc 96.7%');
    expect(plain(epochLine(info(3, { accuracy: 0.5 }), 10, colors))).toBe('epoch  3/10  loss 0.1667  accuracy 50.0%  (0.3 s)');
  });

  it('draws a live line on a terminal with a bar and the time left, within its width, erased at the end', () => {
    const tty = sink(60);
    const p = createProgress('bar', { totalEpochs: 10, batchesPerEpoch: 4 }, tty, colors);
    // The clock is set, not waited on: 30 ms pass between the two batches.
    const now = vi.spyOn(performance, 'now').mockReturnValue(1000);
    p.batch({ epoch: 1, batch: 1, steps: 1, loss: 2 });
    now.mockReturnValue(1030);
    p.batch({ epoch: 1, batch: 2, steps: 2, loss: 1.5 });
    now.mockRestore();
    const lives = tty.text.split('\r').map(plain).filter((l) => l.startsWith('epoch'));
    expect(lives[0]).toContain('ETA -:--');
    // 2.5% of the run took 30 ms, so the 95% left takes 1.14 s.
    expect(lives[1]).toMatch(/^epoch  1\/10 \[#-+\]\s+5%  ETA 0:01/);
    for (const l of lives) expect(l.length).toBeLessThan(60);
    p.epoch(info(1));
    p.stop();
    expect(tty.text.endsWith('\r\u001b[K')).toBe(true);
    expect(plain(tty.text)).toContain('epoch  1/10  loss 0.5000  (0.1 s)\n');
  });

  it('writes times as m:ss or h:mm:ss', () => {
    expect([clock(0), clock(59.6), clock(61), clock(3600 * 2 + 61)]).toEqual(['0:00', '1:00', '1:01', '2:01:01']);
  });

  it("draws demo's live line: a bar, then parts that give way to the width, erased at the end", () => {
    expect([bar(-1), bar(0.25), bar(2)]).toEqual([`[${'-'.repeat(20)}]   0%`, `[${'#'.repeat(5)}${'-'.repeat(15)}]  25%`, `[${'#'.repeat(20)}] 100%`]);
    const narrow = sink(40);
    const line = new LiveLine(narrow);
    line.show([`training ${bar(0.5)}`, 'step 12', 'E_total 0.001']);
    // 39 columns: the head and bar (36) fit, the step (9 more) does not.
    expect(narrow.text).toBe(`\rtraining ${bar(0.5)}\u001b[K`);
    line.show([`training ${bar(0.5)}`, 'step 12', 'E_total 0.001']);
    expect(narrow.text.split('\r')).toHaveLength(2);
    line.show([`a much longer head than forty columns allow ${bar(1)}`]);
    expect(plain(narrow.text.split('\r').at(-1)!)).toHaveLength(39);
    line.erase();
    expect(narrow.text.endsWith('\r\u001b[K')).toBe(true);
    const wide = sink(120);
    new LiveLine(wide).show(['a', 'b', 'c']);
    expect(wide.text).toBe('\ra  b  c\u001b[K');
  });
});
