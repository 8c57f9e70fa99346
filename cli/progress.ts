/**
 * Training progress on the terminal, as Keras shows it: a line that stays
 * for each epoch (every N epochs on long runs, always the last), and on a
 * TTY a live line below them with a bar, the batch, its loss and the time
 * left. Off a TTY (logs, pipes) only the lines that stay are written, with
 * no colour or cursor codes. Every line fits 80 columns.
 */
import type pc from 'picocolors';
import type { BatchInfo, EpochInfo } from 'glassnet';

/** Colour functions: picocolors' `createColors(enabled)`. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Receives training events. */
export interface Progress {
  batch(info: BatchInfo): void;
  epoch(info: EpochInfo): void;
  /** Ends the display (the live line is erased; the last epoch's line is written if it was not). */
  stop(): void;
}

/** How progress is shown. */
export type ProgressMode = 'bar' | 'lines' | 'off';

/** At most this many epoch lines per run (plus the last epoch). */
const MAX_LINES = 20;

/** The widest a line may be. */
export const LINE_WIDTH = 80;
/** Milliseconds between redraws of a live line (train's and demo's): often enough to look live, rare enough to cost nothing. */
export const REDRAW_MS = 100;

/** Characters of the live line's bar. */
const BAR = 20;

/** The figures of an epoch as one line: `loss 0.1234  accuracy 96.7%  val_loss ...`; `short` names accuracy `acc`. */
export function epochFigures(info: EpochInfo, colors: Colors, short = false): string {
  const accuracy = short ? 'acc' : 'accuracy';
  const parts = [`loss ${formatLoss(info.loss)}`];
  if (info.accuracy !== undefined) parts.push(`${accuracy} ${percent(info.accuracy)}`);
  if (info.valLoss !== undefined) parts.push(`val_loss ${formatLoss(info.valLoss)}`);
  if (info.valAccuracy !== undefined) parts.push(`val_${accuracy} ${percent(info.valAccuracy)}`);
  return parts.map((p) => p.replace(/^(\S+)/, colors.dim('$1'))).join('  ');
}

/** A loss with 4 significant digits. */
export function formatLoss(value: number): string {
  return Math.abs(value) >= 1e-4 || value === 0 ? value.toPrecision(4) : value.toExponential(3);
}

/** A share as a percentage with one decimal. */
export function percent(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}

/** Seconds as `m:ss` or `h:mm:ss`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

/** The visible length of a line (colour codes take no columns). */
function visible(line: string): number {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/**
 * The line an epoch leaves: `epoch  7/20  loss 0.3012  accuracy 91.3%  (1.4 s)`,
 * with `acc` for `accuracy`, then single spaces, when that is what it takes
 * to fit {@link LINE_WIDTH} (huge figures are cut at it).
 */
export function epochLine(info: EpochInfo, totalEpochs: number, colors: Colors): string {
  const epoch = `epoch ${String(info.epoch).padStart(String(totalEpochs).length)}/${totalEpochs}`;
  const seconds = `(${info.seconds.toFixed(1)} s)`;
  const short = `${epoch}  ${epochFigures(info, colors, true)}  ${seconds}`;
  const fits = [`${epoch}  ${epochFigures(info, colors)}  ${seconds}`, short, short.replace(/ {2}/g, ' ')].find((line) => visible(line) <= LINE_WIDTH);
  // eslint-disable-next-line no-control-regex
  return fits ?? short.replace(/\u001b\[[0-9;]*m/g, '').replace(/ {2}/g, ' ').slice(0, LINE_WIDTH);
}

/** What the display knows about the run, to place a batch within it. */
export interface RunShape {
  totalEpochs: number;
  /** Batches in an epoch, when known: the time left is then estimated from the first batch on. */
  batchesPerEpoch?: number;
}

/**
 * A progress display for a run that ends at epoch `totalEpochs` (a resumed
 * run starts later: the time left counts from where it started).
 */
export function createProgress(mode: ProgressMode, run: RunShape | number, stream: NodeJS.WriteStream, colors: Colors): Progress {
  const shape = typeof run === 'number' ? { totalEpochs: run } : run;
  if (mode === 'off') return { batch: () => {}, epoch: () => {}, stop: () => {} };
  return new EpochLines(shape, stream, colors, mode === 'bar');
}

/** The epoch lines, and on a terminal the live line under them. */
class EpochLines implements Progress {
  private readonly every: number;
  /** When and how far along the first report came: the rate is measured from there, so start-up time does not count. */
  private origin: { time: number; done: number } | null = null;
  private firstEpoch: number | null = null;
  private last: EpochInfo | null = null;
  private printed = 0;
  private readonly line: LiveLine;

  constructor(private readonly run: RunShape, private readonly stream: NodeJS.WriteStream, private readonly colors: Colors, private readonly live: boolean) {
    this.every = Math.ceil(run.totalEpochs / MAX_LINES);
    this.line = new LiveLine(stream);
  }

  batch(info: BatchInfo): void {
    this.firstEpoch ??= info.epoch;
    if (!this.live) return;
    const perEpoch = this.run.batchesPerEpoch;
    const within = perEpoch === undefined ? 0 : Math.min(1, info.batch / perEpoch);
    this.draw(info.epoch, within, `batch ${info.batch}${perEpoch === undefined ? '' : `/${perEpoch}`}  loss ${formatLoss(info.loss)}`);
  }

  epoch(info: EpochInfo): void {
    this.firstEpoch ??= info.epoch;
    this.last = info;
    if (info.epoch % this.every === 0 || info.epoch === this.run.totalEpochs) this.print(info);
    if (this.live && info.epoch < this.run.totalEpochs) this.draw(info.epoch + 1, 0, epochFigures(info, this.colors, true));
  }

  stop(): void {
    this.erase();
    if (this.last !== null && this.printed !== this.last.epoch) this.print(this.last);
  }

  private print(info: EpochInfo): void {
    this.erase();
    this.stream.write(`${epochLine(info, this.run.totalEpochs, this.colors)}\n`);
    this.printed = info.epoch;
  }

  /** Redraws the live line for a point `within` (0..1) of `epoch`. */
  private draw(epoch: number, within: number, figures: string): void {
    const { totalEpochs } = this.run;
    const first = this.firstEpoch ?? epoch;
    const span = totalEpochs - first + 1;
    const done = Math.min(1, Math.max(0, (epoch - first + within) / span));
    const now = performance.now();
    this.origin ??= { time: now, done };
    const progress = done - this.origin.done;
    const eta = progress > 0 ? `ETA ${clock((((now - this.origin.time) / 1000) * (1 - done)) / progress)}` : 'ETA -:--';
    const head = `epoch ${String(epoch).padStart(String(totalEpochs).length)}/${totalEpochs} ${bar((epoch - 1 + within) / totalEpochs)}`;
    // The time left is worth more than the figures: they give way first.
    this.line.show([head, eta, figures], 2);
  }

  private erase(): void {
    this.line.erase();
  }
}

/** A bar and a percentage for a share `done` (0..1): `[#####---------------]  25%`. */
export function bar(done: number): string {
  // NaN (nothing known yet) draws as empty, as 0 does.
  const share = Number.isNaN(done) ? 0 : Math.min(1, Math.max(0, done));
  const filled = Math.round(share * BAR);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

/**
 * One line on a terminal, redrawn in place: what `train` shows under its
 * epoch lines and `demo` while it trains. It stays one column short of the
 * terminal's width, so the cursor never wraps.
 */
export class LiveLine {
  /** The line on screen ('' when none). */
  private shown = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  /**
   * Shows `parts` joined by two spaces, without colour codes; when they do
   * not fit, the last parts give way, down to the first `keep`, which are
   * cut at the width if they must.
   */
  show(parts: readonly string[], keep = 1): void {
    // A terminal that reports no width counts as 80.
    const reported = this.stream.columns ?? 0;
    const columns = Math.min(LINE_WIDTH, reported > 0 ? reported : LINE_WIDTH) - 1;
    // eslint-disable-next-line no-control-regex
    const plain = parts.map((part) => part.replace(/\u001b\[[0-9;]*m/g, ''));
    let count = plain.length;
    while (count > keep && plain.slice(0, count).join('  ').length > columns) count--;
    const line = plain.slice(0, count).join('  ').slice(0, columns);
    if (line === this.shown) return;
    this.stream.write(`\r${line}\u001b[K`);
    this.shown = line;
  }

  /** Clears the line, leaving the cursor at its start. */
  erase(): void {
    if (this.shown === '') return;
    this.stream.write('\r\u001b[K');
    this.shown = '';
  }
}
