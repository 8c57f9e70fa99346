/**
 * What an orchestrator and a runner process say to each other. A runner
 * gets its settings as flags and prints exactly one JSON line (a
 * {@link RunnerResult} or a {@link RunnerFailure}) as the last line of
 * stdout; the Python runner follows the same contract.
 */
import type { Mode } from './plan.js';

/** Outcome of a correctness check; `ok: null` means the check cannot apply to this library. */
export interface Check {
  ok: boolean | null;
  detail: string;
}

/** A rate measured over repeated timed sections. */
export interface Measurement {
  median: number;
  min: number;
  max: number;
  unit: string;
  /** One value per timed section. */
  samples: number[];
}

export interface RunnerResult extends Measurement {
  library: string;
  workload: string;
  check: Check;
  /** Peak resident set size of the whole process, in MB. */
  rssPeakMB: number;
  /** How the library was set up (dtype, backend binary, threads...). */
  config: Record<string, string>;
  /** Further figures a workload records, e.g. RSS per epoch. */
  extra?: Record<string, number | number[] | string>;
  /** Fresh processes whose timed sections were pooled into this result (set by the orchestrator; one when absent). */
  processes?: number;
}

export interface RunnerFailure {
  library: string;
  workload: string;
  error: string;
}

/** Settings the orchestrator hands every runner. */
export interface RunnerArgs {
  workload: string;
  /** Minimum length of one timed section. */
  seconds: number;
  /** Timed sections; the median of their rates is reported. */
  reps: number;
  /** Epochs of the memory workload. */
  epochs: number;
  /** Library-specific backend (glassnet's backend name, tfjs's `cpu`/`wasm`), or null. */
  backend: string | null;
  /** Directory of the prepared digits. */
  dataDir: string;
  /** The run's mode: glassnet's accuracy tasks read their per-mode settings with it. */
  mode: Mode;
}

/** Command-line form of {@link RunnerArgs}, shared by the JS and Python runners. */
export function runnerFlags(args: RunnerArgs): string[] {
  const flags = [
    '--workload', args.workload, '--seconds', String(args.seconds), '--reps', String(args.reps), '--epochs', String(args.epochs), '--data', args.dataDir, '--mode', args.mode,
  ];
  return args.backend === null ? flags : [...flags, '--backend', args.backend];
}

export function parseRunnerArgs(argv: readonly string[]): RunnerArgs {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const required = (flag: string): string => {
    const v = value(flag);
    if (v === undefined) throw new Error(`missing ${flag}`);
    return v;
  };
  return {
    workload: required('--workload'),
    seconds: Number(required('--seconds')),
    reps: Number(required('--reps')),
    epochs: Number(required('--epochs')),
    backend: value('--backend') ?? null,
    dataDir: required('--data'),
    mode: parseMode(required('--mode')),
  };
}

function parseMode(value: string): Mode {
  if (value !== 'full' && value !== 'quick') throw new Error(`--mode must be full or quick, found ${value}`);
  return value;
}

/** What a workload handler returns; the runner adds names and peak RSS. */
export interface Outcome {
  measurement: Measurement;
  check: Check;
  config?: Record<string, string>;
  extra?: Record<string, number | number[] | string>;
}

export type Handler = (args: RunnerArgs) => Outcome | Promise<Outcome>;

/** Matrix size of a `gemm<n>` workload, or null for other workloads. */
export function gemmSize(workload: string): number | null {
  const match = /^gemm(\d+)$/.exec(workload);
  return match === null ? null : Number(match[1]);
}

/**
 * The body of every JS runner: parses flags, runs `setup` (which selects a
 * backend and may return configuration facts), then the workload's handler,
 * and prints the one JSON line. `handlers` may hold a `gemm` entry that
 * serves every `gemm<n>` workload.
 */
export async function runRunner(
  library: (args: RunnerArgs) => string,
  handlers: Record<string, Handler>,
  setup: (args: RunnerArgs) => Promise<Record<string, string>> = async () => ({}),
): Promise<void> {
  const args = parseRunnerArgs(process.argv.slice(2));
  const name = library(args);
  const handler = handlers[gemmSize(args.workload) === null ? args.workload : 'gemm'];
  try {
    if (handler === undefined) throw new Error(`${name} has no workload ${args.workload}`);
    const setupConfig = await setup(args);
    const outcome = await handler(args);
    const result: RunnerResult = {
      library: name,
      workload: args.workload,
      ...outcome.measurement,
      check: outcome.check,
      rssPeakMB: process.resourceUsage().maxRSS / 1024,
      config: { ...setupConfig, ...outcome.config },
      ...(outcome.extra === undefined ? {} : { extra: outcome.extra }),
    };
    console.log(JSON.stringify(result));
  } catch (error) {
    const failure: RunnerFailure = { library: name, workload: args.workload, error: error instanceof Error ? error.stack ?? error.message : String(error) };
    console.log(JSON.stringify(failure));
    process.exitCode = 1;
  }
}
