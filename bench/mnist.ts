/**
 * Benchmark of one MNIST GAN training step: milliseconds per step (one D and one G update
 * with Adam, simultaneous schedule, NS cost, batch 64) for the FC-4 and Conv-4 (m = 32)
 * presets on 32×32 digits, as the MNIST experiments train them, on the selected backend.
 * On wasm the matrix-product fix and the convolution gradients of src/kernels are installed.
 *
 *   npx tsx bench/mnist.ts [--backend wasm|cpu|tensorflow] [--repeats 5] [--steps 10] [--warmup 3]
 *
 * Conv-4 steps take seconds on wasm, so Conv-4 runs a fifth of the steps (at least 2). The
 * table shows the median over the repeats, the min–max range and the process's CPU time
 * per step (user + system), which other processes on the machine do not inflate.
 */
import { pathToFileURL } from 'node:url';
import { selectBackend, type BackendInfo } from '../src/backend.ts';
import { installWasmConvGradients } from '../src/kernels/conv2dBackpropFilter.ts';
import { installWasmMatMulFix } from '../src/kernels/wasmMatMul.ts';
import { resolveTrainConfig } from '../src/train/config.ts';
import { GanTrainer } from '../src/train/ganTrainer.ts';
import { createSetup } from '../experiments/mnist-coverage/mnistSetup.ts';
import type { PresetName } from '../src/nets/presets.ts';
import { integerOption, parseBenchArgs } from './options.ts';
import { formatMs, formatSpread, median, timeSteps, type StepTimings } from './timing.ts';

export const MNIST_BENCH_BATCH = 64;

export interface MnistBenchOptions {
  repeats: number;
  /** Timed steps per repeat for FC-4; Conv-4 takes a fifth of them (at least 2). */
  steps: number;
  warmup: number;
  presets?: PresetName[];
}

export interface MnistBenchResult extends StepTimings {
  preset: PresetName;
  batchSize: number;
}

async function timePreset(preset: PresetName, options: MnistBenchOptions): Promise<MnistBenchResult> {
  const steps = preset === 'conv-4' ? Math.max(2, Math.round(options.steps / 5)) : options.steps;
  const warmup = preset === 'conv-4' ? Math.min(options.warmup, 1) : options.warmup;
  const config = resolveTrainConfig({ cost: 'ns', steps: 1, batchSize: MNIST_BENCH_BATCH, seed: 1 });
  const setup = await createSetup({ preset, classMetrics: false, trainLimit: 4096 }, config);
  const trainer = new GanTrainer({ generator: setup.generator, discriminator: setup.discriminator, config, realBatch: setup.realBatch });
  try {
    const timings = await timeSteps((step) => trainer.step(step), () => setup.generator.variables[0].data(), {
      repeats: options.repeats,
      steps,
      warmup,
    });
    return { preset, batchSize: MNIST_BENCH_BATCH, ...timings };
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
    lines.push(`| ${result.preset} | ${result.steps} | ${formatSpread(result.wallMs)} | ${formatMs(median(result.cpuMs))} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const program = 'bench/mnist';
  const values = parseBenchArgs(program, process.argv.slice(2), {
    backend: { type: 'string' },
    repeats: { type: 'string' },
    steps: { type: 'string' },
    warmup: { type: 'string' },
  });
  const backend = await selectBackend(values.backend);
  if (backend.name === 'wasm') {
    installWasmMatMulFix();
    installWasmConvGradients();
  }
  const options = {
    repeats: integerOption(program, 'repeats', values.repeats, 5),
    steps: integerOption(program, 'steps', values.steps, 10),
    warmup: integerOption(program, 'warmup', values.warmup, 3, 0),
  };
  console.log(formatMnistBench(await benchMnistSteps(options), backend, options));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
