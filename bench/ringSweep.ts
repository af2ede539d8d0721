/**
 * The wall time of a whole ring sweep: NS, MM and MM-nsat with S seeds each on the ring of
 * 8 Gaussians. The runs go through the suite's own sweep (seed-batched programs split over
 * one worker per core) with the ring experiment's cpu-scale settings, cut to fewer steps.
 *
 * The sweep is timed at two lengths, n/2 and n steps, with the cpu scale's evaluation, log
 * and checkpoint intervals kept. The difference gives the cost per step of all runs; the rest
 * is the fixed cost (workers, backend start, data, reading back). Both extrapolate linearly
 * to the cpu scale's step count.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BackendInfo } from '../src/backend.ts';
import { formatDuration } from '../src/report/format.ts';
import { RING_SCALES } from '../experiments/ring/index.ts';
import { trainToyRuns, type ToyScaleSettings } from '../experiments/ring/toyRuns.ts';

/** The costs of the ring's main comparison (fig. 4). */
const COST_LABELS = ['NS', 'MM', 'MM-nsat'];

export interface RingSweepOptions {
  /** Seeds per cost. */
  seeds: number;
  /** Steps of the longer timing. The shorter one trains half as many. */
  steps: number;
}

export interface RingSweepTiming {
  steps: number;
  seconds: number;
}

/** Returns the ring's cpu-scale settings for the three costs, `seeds` seeds and `steps` steps. */
export function ringSweepSettings(seeds: number, steps: number): ToyScaleSettings {
  const cpu = RING_SCALES.cpu;
  const variants = cpu.variants.filter((variant) => COST_LABELS.includes(variant.label));
  return {
    ...cpu,
    variants,
    seeds: Array.from({ length: seeds }, (_, i) => i + 1),
    train: { ...cpu.train, steps, sampleSteps: (cpu.train.sampleSteps ?? []).filter((step) => step <= steps) },
    scatterSteps: [],
  };
}

async function timeSweep(backend: BackendInfo, seeds: number, steps: number, progress: (line: string) => void): Promise<RingSweepTiming> {
  const runsDir = await mkdtemp(path.join(os.tmpdir(), 'gan-dynamics-ring-sweep-'));
  try {
    const started = performance.now();
    await trainToyRuns('ring', 'cpu', { kind: 'ring' }, ringSweepSettings(seeds, steps), {
      runsDir,
      backend,
      progress: (done, total, label) => progress(`${steps} steps: ${done}/${total} ${label}`),
    });
    return { steps, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(runsDir, { recursive: true, force: true });
  }
}

/** Times the sweep at steps/2 and steps, and returns the lines to print. */
export async function runRingSweepBench(backend: BackendInfo, options: RingSweepOptions, progress: (line: string) => void): Promise<string[]> {
  const fullSteps = RING_SCALES.cpu.train.steps;
  const evaluateEvery = RING_SCALES.cpu.train.evaluateEvery ?? 0;
  if (options.steps < 2 * evaluateEvery) {
    throw new RangeError(
      `bench: invalid --ring-steps ${options.steps}: expected at least ${2 * evaluateEvery} (two evaluation intervals of the cpu scale)`,
    );
  }
  const short = await timeSweep(backend, options.seeds, Math.round(options.steps / 2), progress);
  const long = await timeSweep(backend, options.seeds, options.steps, progress);
  const runs = COST_LABELS.length * options.seeds;
  const perStep = (long.seconds - short.seconds) / (long.steps - short.steps);
  const fixed = long.seconds - perStep * long.steps;
  const extrapolated = fixed + perStep * fullSteps;
  return [
    `Ring sweep: ${COST_LABELS.join(', ')} × ${options.seeds} seeds (${runs} runs), the ring's cpu-scale settings ` +
      `(evaluations every ${evaluateEvery} steps), backend ${backend.name}, ${os.availableParallelism()} cores`,
    ...[short, long].map((timing) => `  ${timing.steps} steps: ${formatDuration(timing.seconds)} wall`),
    `  per step of all ${runs} runs: ${(perStep * 1000).toFixed(1)} ms (${((perStep * 1000) / runs).toFixed(2)} ms per run-step); fixed cost ${formatDuration(Math.max(0, fixed))}`,
    `  extrapolated to the cpu scale's ${fullSteps} steps: ${formatDuration(extrapolated)}`,
  ];
}
