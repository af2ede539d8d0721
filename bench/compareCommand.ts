/**
 * The output of `npm run bench` in its default mode: the settings of both sides, the
 * comparison table, the throughput table with our floor, and on request kernel profiles.
 * Progress lines go to `progress` (stderr) so that the printed tables stay clean.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../src/backend.ts';
import { formatComparisonTable, runComparison, singleSeedRunner, type ComparisonRow, type StepRunner } from './compare.ts';
import { stepFlops } from './flops.ts';
import { formatProfile, profileSteps } from './profile.ts';
import { seedBatchRunner } from './seedBatchRunner.ts';
import { CEILING_MATRIX_SIZE, formatThroughputTable, measureMatMulCeiling } from './throughput.ts';
import { median, timeSteps } from './timing.ts';
import { checkTorch, runTorchCeiling, type TorchSettings } from './torch.ts';
import type { ComparisonWorkload } from './workloads.ts';

export interface CompareSettings {
  workloads: ComparisonWorkload[];
  rounds: number;
  repeats: number;
  warmup: number;
  /** Steps per timing; undefined to size timings by `repeatMs`. */
  steps?: number;
  repeatMs: number;
  /** S of the batched column; 0 leaves it out. */
  seedCount: number;
  profile: boolean;
  ceiling: boolean;
  /** PyTorch settings, or undefined for --no-torch. */
  torch?: TorchSettings;
}

export interface CompareOutput {
  print(line: string): void;
  progress(line: string): void;
}

/**
 * Checks PyTorch and returns the settings to use (undefined when it is unavailable or not
 * requested) with the line that describes that side. A missing Python, torch or script is
 * reported in the line, never thrown, so our figures still print.
 */
export async function describeTorch(requested: TorchSettings | undefined): Promise<{ torch?: TorchSettings; line: string }> {
  if (requested === undefined) return { line: 'PyTorch: not run (--no-torch)' };
  const availability = await checkTorch(requested);
  if (!availability.available) return { line: `${availability.message}. Our figures follow alone.` };
  return {
    torch: requested,
    line: `PyTorch: torch ${availability.version} on ${requested.python}, ${requested.threads} thread(s) (torch.set_num_threads), script ${requested.script}`,
  };
}

function loadAverage(): string {
  return os.loadavg().map((load) => load.toFixed(2)).join(', ');
}

function describeBackend(backend: BackendInfo): string {
  const replaced = backend.kernels?.length ? `; kernels replaced by this suite: ${backend.kernels.join(', ')}` : '';
  return `tfjs ${tf.version.tfjs}, backend ${backend.name} (${backend.package} ${backend.version}), ${backend.threads} thread(s)${replaced}`;
}

function printHeader(settings: CompareSettings, backend: BackendInfo, torchLine: string, output: CompareOutput): void {
  const { repeats, rounds, steps, repeatMs, warmup, seedCount } = settings;
  const stepsText = steps === undefined ? `as many consecutive steps as last about ${repeatMs} ms` : `${steps} consecutive steps`;
  output.print(`GAN step, ours against PyTorch on the same workloads; this machine has ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`);
  output.print(`ours: ${describeBackend(backend)}; node ${process.version}`);
  output.print(torchLine);
  output.print(
    `Timing: ms per step, median (min–max) of ${repeats} timings per side and round, ${rounds} round(s); each timing is ${stepsText} ` +
      `after ${warmup} warm-up steps, PyTorch with the same settings in its own process.`,
  );
  if (seedCount > 0) {
    output.print(
      `Per seed at S = ${seedCount}: run seeds 1 … ${seedCount} trained as one program on a seed axis (SeedBatchTrainer), its step time divided by ${seedCount}. ` +
        "It feeds D the samples of G's taped forward pass, so it runs G forward once per step where the 1-seed trainer and PyTorch run it twice.",
    );
  }
  output.print(
    'Order: interleaved by workload (ours with 1 seed, ours with S seeds, then PyTorch, then the next workload); the two sides never run at the same time. ' +
      `Ratios are ours / PyTorch per round, median over rounds. Load average at start: ${loadAverage()}.`,
  );
  output.print('');
}

async function printThroughput(settings: CompareSettings, torch: TorchSettings | undefined, rows: ComparisonRow[], output: CompareOutput): Promise<void> {
  const ourCeiling = await measureMatMulCeiling();
  let ceilingLine = `float32 matMul ceiling (${CEILING_MATRIX_SIZE}² products, median): ours ${ourCeiling.toFixed(1)} GFLOP/s`;
  if (settings.ceiling && torch !== undefined) {
    try {
      ceilingLine += `, PyTorch ${(await runTorchCeiling(torch)).toFixed(1)} GFLOP/s (best of 1024², 2048², 4096²)`;
    } catch (error) {
      ceilingLine += `; PyTorch's ceiling: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  output.print(ceilingLine);
  output.print('');
  const flops = Object.fromEntries(
    settings.workloads.map((workload) => [workload.name, stepFlops(workload.flopLayers.generator, workload.flopLayers.discriminator, workload.config.batchSize)]),
  );
  const seeds = settings.seedCount > 0 ? settings.seedCount : undefined;
  output.print(formatThroughputTable(rows, { stepFlops: flops, seeds, torch: torch !== undefined, ceiling: ourCeiling }));
}

function printLoadWarning(loadAtStart: number, torch: TorchSettings | undefined, output: CompareOutput): void {
  const cores = os.availableParallelism();
  const busiest = Math.max(loadAtStart, os.loadavg()[0]);
  if (busiest <= cores) return;
  const threadsNote =
    torch !== undefined && torch.threads > 1
      ? "PyTorch's OpenMP threads then wait on descheduled peers, so its figures can be many times its quiet ones. " +
        'Rerun on a quiet machine, or compare with --torch-threads 1 as well.'
      : 'Every figure is then slower than on a quiet machine; rerun on one for absolute times.';
  output.print(`Warning: the 1-minute load average reached ${busiest.toFixed(1)} on ${cores} cores, so other processes shared them. ${threadsNote}`);
}

async function profileRunner(label: string, runner: StepRunner, stepMs: number): Promise<string> {
  try {
    // A few steps for the small workloads, so that one slow kernel call does not dominate.
    const steps = Math.max(1, Math.min(20, Math.round(200 / stepMs)));
    let index = 0;
    await timeSteps(() => runner.step(++index), () => runner.synchronize(), { repeats: 1, steps: 1, warmup: 3 });
    const profile = await profileSteps(() => runner.step(++index), steps);
    return formatProfile(`${label}, ${steps} step(s) profiled`, profile);
  } finally {
    runner.dispose();
  }
}

async function printProfiles(settings: CompareSettings, rows: ComparisonRow[], output: CompareOutput): Promise<void> {
  const { seedCount } = settings;
  for (const [index, workload] of settings.workloads.entries()) {
    const stepMs = median(rows[index].rounds.flatMap((round) => round.ours.wallMs));
    output.print(`\n${await profileRunner(`${workload.label}, 1 seed`, singleSeedRunner(workload), stepMs)}`);
    const batched = seedCount > 0 ? seedBatchRunner(workload, seedCount) : undefined;
    if (batched !== undefined) {
      const batchedMs = median(rows[index].rounds.flatMap((round) => round.batched?.wallMs ?? []));
      output.print(`\n${await profileRunner(`${workload.label}, S = ${seedCount} seeds batched`, batched, batchedMs)}`);
    }
  }
}

/** Runs the comparison and prints its tables. */
export async function runCompareCommand(settings: CompareSettings, backend: BackendInfo, output: CompareOutput): Promise<void> {
  const { torch, line: torchLine } = await describeTorch(settings.torch);
  const loadAtStart = os.loadavg()[0];
  printHeader(settings, backend, torchLine, output);

  const { seedCount } = settings;
  const rows = await runComparison({
    workloads: settings.workloads,
    rounds: settings.rounds,
    timing: { repeats: settings.repeats, warmup: settings.warmup, steps: settings.steps, repeatMs: settings.repeatMs },
    batched: seedCount > 0 ? { seedCount, runner: seedBatchRunner } : undefined,
    torch,
    torchRun: { repeats: settings.repeats, warmup: settings.warmup, repeatMs: settings.repeatMs },
    log: output.progress,
  });

  output.print(formatComparisonTable(rows, { torch: torch !== undefined, seeds: seedCount > 0 ? seedCount : undefined }));
  for (const row of rows) {
    if (row.batchedUnavailable !== undefined) output.print(`\n${row.label}, S = ${seedCount}: not measured because ${row.batchedUnavailable}.`);
    if (row.torchError !== undefined) output.print(`\n${row.label}: ${row.torchError}`);
  }
  output.print('');
  await printThroughput(settings, torch, rows, output);

  const blas = rows.flatMap((row) => row.rounds.flatMap((round) => round.torch?.blas ?? []));
  if (blas.length > 0) output.print(`\nPyTorch's BLAS: ${[...new Set(blas)].join(', ')}`);
  output.print(`Load average at end: ${loadAverage()}.`);
  printLoadWarning(loadAtStart, torch, output);
  output.print('\nWhere our networks differ from the baseline:');
  for (const workload of settings.workloads) output.print(`- ${workload.name}: ${workload.differences}`);

  if (settings.profile) await printProfiles(settings, rows, output);
}
