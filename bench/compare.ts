/**
 * Our GAN step against PyTorch's on the same workloads, cores and invocation. Each round
 * times one workload on our side, then runs the PyTorch baseline on it in a child process,
 * then moves to the next workload, so the two sides never run at the same time and share
 * the machine's state. With several rounds the ratio is taken per round and its median shown.
 */
import * as tf from '@tensorflow/tfjs';
import { GanTrainer } from '../src/train/ganTrainer.ts';
import { formatMs, formatSpread, median, timeSteps, type StepTimings, type TimingOptions } from './timing.ts';
import { runTorchBaseline, type TorchResult, type TorchRunOptions, type TorchSettings } from './torch.ts';
import type { ComparisonWorkload } from './workloads.ts';

/** One round's figures for one workload. */
export interface ComparisonRound {
  ours: StepTimings;
  /** S seeds trained as one batched program; wall times are per step of all S seeds. */
  batched?: StepTimings;
  torch?: TorchResult;
}

export interface ComparisonRow {
  workload: string;
  label: string;
  rounds: ComparisonRound[];
  /** Error message of a failed baseline run, which leaves the PyTorch figure out. */
  torchError?: string;
  /** Reason the batched column is empty for this workload. */
  batchedUnavailable?: string;
}

export interface ComparisonTableOptions {
  /** S of the batched column; absent when the column is not measured. */
  seeds?: number;
  /** Whether PyTorch columns are shown. */
  torch: boolean;
}

/** Steps of one workload, as the timing loop and the profiler drive them. */
export interface StepRunner {
  step(index: number): void;
  /** Resolves when the backend has finished every step queued so far. */
  synchronize(): Promise<unknown>;
  dispose(): void;
}

/** Builds a workload's networks and the project's trainer for one seed. */
export function singleSeedRunner(workload: ComparisonWorkload): StepRunner {
  const setup = workload.build(workload.config);
  const trainer = new GanTrainer({ generator: setup.generator, discriminator: setup.discriminator, config: workload.config, realBatch: setup.realBatch });
  return {
    step: (index) => trainer.step(index),
    synchronize: () => setup.generator.variables[0].data(),
    dispose: () => {
      trainer.dispose();
      setup.dispose();
    },
  };
}

/** Times a runner with the shared loop and disposes it. */
export async function timeRunner(runner: StepRunner, timing: TimingOptions): Promise<StepTimings> {
  try {
    return await timeSteps((index) => runner.step(index), () => runner.synchronize(), timing);
  } finally {
    runner.dispose();
  }
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? `${ratio.toFixed(0)}×` : `${ratio.toFixed(2)}×`;
}

/** Median over rounds of (our median in the round) / (PyTorch's median in the round). */
function medianRatio(rounds: ComparisonRound[], ours: (round: ComparisonRound) => number[] | undefined): number | undefined {
  const ratios: number[] = [];
  for (const round of rounds) {
    const timings = ours(round);
    if (timings === undefined || round.torch === undefined) continue;
    ratios.push(median(timings) / round.torch.msMedian);
  }
  return ratios.length === 0 ? undefined : median(ratios);
}

function perSeed(round: ComparisonRound, seeds: number | undefined): number[] | undefined {
  if (round.batched === undefined || seeds === undefined) return undefined;
  return round.batched.wallMs.map((ms) => ms / seeds);
}

/** Formats the comparison as a Markdown table: ms per step as "median (min–max)" and ratios. */
export function formatComparisonTable(rows: readonly ComparisonRow[], options: ComparisonTableOptions): string {
  const { seeds } = options;
  const header = ['workload', 'ours, 1 seed'];
  if (seeds !== undefined) header.push(`ours, per seed at S = ${seeds}`);
  if (options.torch) {
    header.push('PyTorch');
    header.push('ours / PyTorch, 1 seed');
    if (seeds !== undefined) header.push(`ours / PyTorch, per seed at S = ${seeds}`);
  }
  const lines = [`| ${header.join(' | ')} |`, `| --- |${header.slice(1).map(() => ' ---: |').join('')}`];

  for (const row of rows) {
    const cells = [row.label];
    cells.push(formatSpread(row.rounds.flatMap((round) => round.ours.wallMs)));
    if (seeds !== undefined) {
      const batched = row.rounds.flatMap((round) => perSeed(round, seeds) ?? []);
      cells.push(batched.length > 0 ? formatSpread(batched) : '–');
    }
    if (options.torch) {
      const torch = row.rounds.flatMap((round) => (round.torch ? [round.torch] : []));
      if (torch.length === 0) {
        cells.push(row.torchError === undefined ? '–' : 'failed');
      } else {
        const low = Math.min(...torch.map((result) => result.msMin));
        const high = Math.max(...torch.map((result) => result.msMax));
        cells.push(`${formatMs(median(torch.map((result) => result.msMedian)))} (${formatMs(low)}–${formatMs(high)})`);
      }
      const single = medianRatio(row.rounds, (round) => round.ours.wallMs);
      cells.push(single === undefined ? '–' : formatRatio(single));
      if (seeds !== undefined) {
        const batched = medianRatio(row.rounds, (round) => perSeed(round, seeds));
        cells.push(batched === undefined ? '–' : formatRatio(batched));
      }
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Builds S seeds of a workload as one batched program, or returns undefined when it cannot. */
export type BatchedRunnerFactory = (workload: ComparisonWorkload, seedCount: number) => StepRunner | undefined;

export interface ComparisonOptions {
  workloads: readonly ComparisonWorkload[];
  /** S and the batched trainer's runner factory; absent to leave the batched column out. */
  batched?: { seedCount: number; runner: BatchedRunnerFactory };
  rounds: number;
  timing: TimingOptions;
  /** PyTorch settings, or undefined to time our side alone. */
  torch?: TorchSettings;
  torchRun: TorchRunOptions;
  /** Reports progress (one line per measurement). */
  log(line: string): void;
}

async function measureBatched(workload: ComparisonWorkload, row: ComparisonRow, label: string, options: ComparisonOptions): Promise<StepTimings | undefined> {
  if (options.batched === undefined || row.batchedUnavailable !== undefined) return undefined;
  const { seedCount } = options.batched;
  const runner = options.batched.runner(workload, seedCount);
  if (runner === undefined) {
    row.batchedUnavailable = 'the seed axis covers dense networks only';
    return undefined;
  }
  const timings = await timeRunner(runner, options.timing);
  const perSeedMs = timings.wallMs.map((ms) => ms / seedCount);
  options.log(`${label}: ours at S = ${seedCount} ${formatSpread(perSeedMs)} ms/step per seed (${timings.steps} steps × ${timings.wallMs.length})`);
  return timings;
}

/** Runs the baseline; a failure is kept on the row, logged, and stops later rounds from retrying. */
async function measureTorch(workload: ComparisonWorkload, row: ComparisonRow, label: string, options: ComparisonOptions): Promise<TorchResult | undefined> {
  if (options.torch === undefined || row.torchError !== undefined) return undefined;
  try {
    const result = await runTorchBaseline(options.torch, workload.name, options.torchRun);
    options.log(`${label}: PyTorch ${formatMs(result.msMedian)} ms/step (${result.stepsPerRepeat} steps × ${result.repeats})`);
    return result;
  } catch (error) {
    row.torchError = error instanceof Error ? error.message : String(error);
    options.log(`${label}: ${row.torchError}`);
    return undefined;
  }
}

/** Runs the comparison rounds and returns one row per workload. */
export async function runComparison(options: ComparisonOptions): Promise<ComparisonRow[]> {
  const rows: ComparisonRow[] = options.workloads.map((workload) => ({ workload: workload.name, label: workload.label, rounds: [] }));
  // The first steps of a process also pay for JIT compilation of tfjs and our code; keep them out of every row.
  if (options.workloads.length > 0) {
    await timeRunner(singleSeedRunner(options.workloads[0]), { repeats: 1, steps: 1, warmup: 3 * Math.max(options.timing.warmup, 5) });
  }

  for (let round = 1; round <= options.rounds; round++) {
    for (const [index, workload] of options.workloads.entries()) {
      const row = rows[index];
      const label = `round ${round}, ${workload.name}`;
      const tensorsBefore = tf.memory().numTensors;
      const ours = await timeRunner(singleSeedRunner(workload), options.timing);
      const leaked = tf.memory().numTensors - tensorsBefore;
      options.log(
        `${label}: ours ${formatSpread(ours.wallMs)} ms/step (${ours.steps} steps × ${ours.wallMs.length})` +
          (leaked > 0 ? `, ${leaked} tensors left allocated` : ''),
      );
      const batched = await measureBatched(workload, row, label, options);
      const torch = await measureTorch(workload, row, label, options);
      row.rounds.push({ ours, batched, torch });
    }
  }
  return rows;
}
