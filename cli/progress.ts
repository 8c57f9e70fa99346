/**
 * Training progress on the terminal: a live bar (cli-progress) when stdout
 * is a TTY, otherwise plain lines that logs and pipes can keep: one per
 * epoch, or one every N epochs for long runs, always including the last.
 */
import cliProgress from 'cli-progress';
import type pc from 'picocolors';
import type { BatchInfo, EpochInfo } from 'glassnet';

/** Colour functions: picocolors' `createColors(enabled)`. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Receives training events. */
export interface Progress {
  batch(info: BatchInfo): void;
  epoch(info: EpochInfo): void;
  /** Ends the display (the bar is left on screen, finished). */
  stop(): void;
}

/** How progress is shown. */
export type ProgressMode = 'bar' | 'lines' | 'off';

/** At most this many plain lines per run (plus the last epoch). */
const MAX_LINES = 20;

/** The figures of an epoch as one line: `loss 0.1234  accuracy 96.7%  val_loss ...`. */
export function epochFigures(info: EpochInfo, colors: Colors): string {
  const parts = [`loss ${formatLoss(info.loss)}`];
  if (info.accuracy !== undefined) parts.push(`accuracy ${percent(info.accuracy)}`);
  if (info.valLoss !== undefined) parts.push(`val_loss ${formatLoss(info.valLoss)}`);
  if (info.valAccuracy !== undefined) parts.push(`val_accuracy ${percent(info.valAccuracy)}`);
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

/**
 * A progress display for a run that ends at epoch `totalEpochs` (a resumed
 * run starts later, so the bar starts part full).
 */
export function createProgress(mode: ProgressMode, totalEpochs: number, stream: NodeJS.WriteStream, colors: Colors): Progress {
  if (mode === 'off') return { batch: () => {}, epoch: () => {}, stop: () => {} };
  return mode === 'bar' ? barProgress(totalEpochs, stream, colors) : lineProgress(totalEpochs, stream, colors);
}

function lineProgress(totalEpochs: number, stream: NodeJS.WriteStream, colors: Colors): Progress {
  const every = Math.ceil(totalEpochs / MAX_LINES);
  const width = String(totalEpochs).length;
  let last: EpochInfo | null = null;
  let printed = 0;
  const print = (info: EpochInfo): void => {
    stream.write(`epoch ${String(info.epoch).padStart(width)}/${totalEpochs}  ${epochFigures(info, colors)}  (${info.seconds.toFixed(1)} s)\n`);
    printed = info.epoch;
  };
  return {
    batch: () => {},
    epoch(info) {
      last = info;
      if (info.epoch % every === 0 || info.epoch === totalEpochs) print(info);
    },
    stop() {
      if (last !== null && printed !== last.epoch) print(last);
    },
  };
}

function barProgress(totalEpochs: number, stream: NodeJS.WriteStream, colors: Colors): Progress {
  const bar = new cliProgress.SingleBar({
    stream,
    format: `epoch {epoch}/${totalEpochs}{batch} ${colors.cyan('{bar}')} {percentage}% | {figures} | {duration_formatted}`,
    barsize: 24,
    hideCursor: true,
    fps: 10,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  const start = (epoch: number): void => {
    if (started) return;
    bar.start(totalEpochs, epoch - 1, { epoch, batch: '', figures: '' });
    started = true;
  };
  return {
    batch(info) {
      start(info.epoch);
      bar.update({ epoch: info.epoch, batch: ` batch ${info.batch}`, figures: `batch loss ${formatLoss(info.loss)}` });
    },
    epoch(info) {
      start(info.epoch);
      bar.update(info.epoch, { epoch: info.epoch, batch: '', figures: epochFigures(info, colors) });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
