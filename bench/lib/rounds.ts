import { type JobResult, isMeasured } from './report.js';
import { summarize } from './timing.js';

/**
 * One (column, workload) result from the processes of every round: the
 * timed sections of all of them pooled (median, min and max over the
 * pool), the highest peak RSS, and a check that passes only if every
 * process's did. A skipped or failed process makes the whole result that.
 */
export function mergeRounds(parts: readonly JobResult[]): JobResult {
  const unmeasured = parts.find((part) => !isMeasured(part));
  if (unmeasured !== undefined || parts.length === 1) return unmeasured ?? parts[0]!;
  const measured = parts.filter(isMeasured);
  const first = measured[0]!;
  const samples = measured.flatMap((part) => part.samples);
  const failed = measured.find((part) => part.check.ok === false);
  const checked = measured.some((part) => part.check.ok === true);
  return {
    ...first,
    ...summarize(samples, first.unit),
    rssPeakMB: Math.max(...measured.map((part) => part.rssPeakMB)),
    check: failed?.check ?? { ok: checked ? true : null, detail: `${first.check.detail} (first of ${measured.length} processes)` },
    processes: measured.length,
  };
}
