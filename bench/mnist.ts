/**
 * Benchmark of one MNIST GAN training step: milliseconds per step (one D and one G update
 * with Adam, simultaneous schedule, NS cost, batch 64) for FC-4 and Conv-4 (m = 32) on
 * 32×32 digits, on the selected backend. On wasm the matrix-product fix and the
 * convolution gradients of src/kernels are installed, as in training.
 *
 *   npx tsx bench/mnist.ts [--backend wasm|cpu|tensorflow] [--repeats 5] [--steps 10] [--warmup 3]
 *
 * Conv-4 steps take seconds on wasm, so Conv-4 runs a fifth of the steps (at least 2).
 * Each timing is consecutive steps after untimed warm-up steps, with one read-back at the
 * end. The table shows the median over the repeats, the min–max range and the process's
 * CPU time per step (user + system), which other processes on the machine do not inflate.
 */
import { pathToFileURL } from 'node:url';
import { selectBackend, type BackendInfo } from '../src/backend.ts';
import { installWasmConvGradients } from '../src/kernels/conv2dBackpropFilter.ts';
import { installWasmMatMulFix } from '../src/kernels/wasmMatMul.ts';
import { resolveTrainConfig } from '../src/train/config.ts';
import { GanTrainer } from '../src/train/ganTrainer.ts';
import { createSetup } from '../experiments/mnist-coverage/mnistSetup.ts';
import type { PresetName } from '../src/nets/presets.ts';

export const MNIST_BENCH_BATCH = 64;

export interface MnistBenchOptions {
  repeats: number;
  /** Timed steps per repeat for FC-4; Conv-4 takes a fifth of them (at least 2). */
  steps: number;
  warmup: number;
  presets?: PresetName[];
}

export interface MnistBenchResult {
  preset: PresetName;
  batchSize: number;
  steps: number;
  /** Wall-clock milliseconds per step, one entry per repeat. */
  millisecondsPerStep: number[];
  /** Process CPU milliseconds per step, one entry per repeat. */
  cpuMillisecondsPerStep: number[];
}

async function timePreset(preset: PresetName, options: MnistBenchOptions): Promise<MnistBenchResult> {
  const steps = preset === 'conv-4' ? Math.max(2, Math.round(options.steps / 5)) : options.steps;
  const warmup = preset === 'conv-4' ? Math.min(options.warmup, 1) : options.warmup;
  const config = resolveTrainConfig({ cost: 'ns', steps: 1, batchSize: MNIST_BENCH_BATCH, seed: 1 });
  const setup = await createSetup({ preset, classMetrics: false, trainLimit: 4096 }, config);
  const trainer = new GanTrainer({ generator: setup.generator, discriminator: setup.discriminator, config, realBatch: setup.realBatch });
  let step = 0;
  const run = async (count: number) => {
    for (let i = 0; i < count; i++) trainer.step(++step);
    await setup.generator.variables[0].data();
  };
  try {
    await run(warmup);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < options.repeats; r++) {
      const started = performance.now();
      const usage = process.cpuUsage();
      await run(steps);
      const used = process.cpuUsage(usage);
      wall.push((performance.now() - started) / steps);
      cpu.push((used.user + used.system) / 1000 / steps);
    }
    return { preset, batchSize: MNIST_BENCH_BATCH, steps, millisecondsPerStep: wall, cpuMillisecondsPerStep: cpu };
  } finally {
    trainer.dispose();
    setup.dispose();
  }
}

/** Times MNIST GAN steps for each preset on the current tfjs backend. */
export async function benchMnistSteps(options: MnistBenchOptions): Promise<MnistBenchResult[]> {
  const results: MnistBenchResult[] = [];
  for (const preset of options.presets ?? (['fc-4', 'conv-4'] as PresetName[])) {
    results.push(await timePreset(preset, options));
  }
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function digits(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Formats results as a Markdown table with the backend in the heading line. */
export function formatMnistBench(results: MnistBenchResult[], backend: BackendInfo, options: MnistBenchOptions): string {
  const lines = [
    `MNIST GAN step on ${backend.name} (${backend.package} ${backend.version}, ${backend.threads} thread(s)), batch ${MNIST_BENCH_BATCH}; ` +
      `ms per step, median (min–max) of ${options.repeats} timings`,
    '',
    '| network | timed steps | wall ms/step | CPU ms/step |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const result of results) {
    const wall = result.millisecondsPerStep;
    const cpu = result.cpuMillisecondsPerStep;
    lines.push(
      `| ${result.preset} | ${result.steps} | ${digits(median(wall))} (${digits(Math.min(...wall))}–${digits(Math.max(...wall))}) ` +
        `| ${digits(median(cpu))} |`,
    );
  }
  return lines.join('\n');
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

function positiveInteger(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`bench/mnist: --${name} must be a positive integer, received ${option(name, '')}`);
  }
  return value;
}

async function main(): Promise<void> {
  const backend = await selectBackend(process.argv.includes('--backend') ? option('backend', '') : undefined);
  if (backend.name === 'wasm') {
    installWasmMatMulFix();
    installWasmConvGradients();
  }
  const options = { repeats: positiveInteger('repeats', 5), steps: positiveInteger('steps', 10), warmup: positiveInteger('warmup', 3) };
  console.log(formatMnistBench(await benchMnistSteps(options), backend, options));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
