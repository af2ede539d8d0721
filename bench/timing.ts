/**
 * The timing loop of every benchmark here: untimed warm-up steps, then `repeats` timings of
 * consecutive steps, each ended by one read-back so that asynchronous backends finish their
 * queued work inside the timing. The tables report wall time. The process's CPU time
 * (user + system) is kept beside it because other processes on the machine do not inflate it.
 */

export interface TimingOptions {
  repeats: number;
  warmup: number;
  /** Steps per timing. Without it, the count is chosen so that one timing lasts about `repeatMs`. */
  steps?: number;
  /** Target wall time of one timing in milliseconds, used when `steps` is absent. */
  repeatMs?: number;
}

export interface StepTimings {
  /** Steps in each timing. */
  steps: number;
  /** Wall-clock milliseconds per step, one entry per timing. */
  wallMs: number[];
  /** Process CPU milliseconds per step, one entry per timing. */
  cpuMs: number[];
}

/** Target duration of one timing when the step count is not fixed (the PyTorch baseline's default). */
export const DEFAULT_REPEAT_MS = 500;

/**
 * Times `runStep(index)` with indices counted from 1 across warm-up and timings, calling
 * `synchronize` after each batch of steps. Returns milliseconds per step.
 */
export async function timeSteps(
  runStep: (index: number) => void,
  synchronize: () => Promise<unknown>,
  options: TimingOptions,
): Promise<StepTimings> {
  for (const key of ['repeats', 'warmup'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 0 || (key === 'repeats' && value < 1)) {
      throw new RangeError(`timeSteps: ${key} must be an integer ≥ ${key === 'repeats' ? 1 : 0}, received ${String(value)}`);
    }
  }
  if (options.steps !== undefined && (!Number.isInteger(options.steps) || options.steps < 1)) {
    throw new RangeError(`timeSteps: steps must be a positive integer, received ${String(options.steps)}`);
  }

  let index = 0;
  const run = async (count: number) => {
    for (let i = 0; i < count; i++) runStep(++index);
    await synchronize();
  };

  await run(options.warmup);
  let steps = options.steps;
  if (steps === undefined) {
    // One extra timed step calibrates the count, as the PyTorch baseline does.
    const started = performance.now();
    await run(1);
    const oneStep = Math.max(performance.now() - started, 1e-3);
    steps = Math.max(1, Math.ceil((options.repeatMs ?? DEFAULT_REPEAT_MS) / oneStep));
  }

  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let r = 0; r < options.repeats; r++) {
    const started = performance.now();
    const usage = process.cpuUsage();
    await run(steps);
    const used = process.cpuUsage(usage);
    wallMs.push((performance.now() - started) / steps);
    cpuMs.push((used.user + used.system) / 1000 / steps);
  }
  return { steps, wallMs, cpuMs };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: expected at least one value, received none');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Formats milliseconds with three significant figures (no decimals from 100 up). */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

/** Formats timings as "median (min–max)". */
export function formatSpread(values: readonly number[]): string {
  return `${formatMs(median(values))} (${formatMs(Math.min(...values))}–${formatMs(Math.max(...values))})`;
}
