/**
 * Benchmark of one GAN training step on the toy networks, in milliseconds per step. A step
 * is one D and one G update with Adam (simultaneous schedule, NS cost). Hidden widths are
 * 64, 128 and 256 and batches 128 and 512, on the selected backend. On wasm every size is
 * timed with and without the matrix-product fix of src/kernels/wasmMatMul.ts.
 *
 *   npm run bench -- [--backend wasm|cpu|tensorflow] [--repeats 7] [--steps 20] [--warmup 10]
 *
 * Each timing is `steps` consecutive steps after `warmup` untimed ones, with one read-back
 * at the end so that asynchronous backends finish their work; the table shows the median
 * over `repeats` timings and the min–max range.
 */
import * as tf from '@tensorflow/tfjs';
import { benchMnistSteps, formatMnistBench } from './mnist.ts';
import { selectBackend } from '../src/backend.ts';
import { installWasmMatMulFix, uninstallWasmMatMulFix } from '../src/kernels/wasmMatMul.ts';
import { resolveTrainConfig } from '../src/train/config.ts';
import { GanTrainer } from '../src/train/ganTrainer.ts';
import { createSetup } from '../src/train/mixtureSetup.ts';

const WIDTHS = [64, 128, 256];
const BATCHES = [128, 512];

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

function positiveInteger(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`bench: --${name} must be a positive integer, received ${option(name, '')}`);
  }
  return value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Times `steps` training steps `repeats` times and returns milliseconds per step. */
async function timeSteps(width: number, batchSize: number, repeats: number, steps: number, warmup: number): Promise<number[]> {
  const config = resolveTrainConfig({ cost: 'ns', steps: 1, batchSize, seed: 1 });
  const setup = createSetup({ mixture: { kind: 'ring' }, generatorHidden: [width, width], discriminatorHidden: [width, width] }, config);
  const trainer = new GanTrainer({ generator: setup.generator, discriminator: setup.discriminator, config, realBatch: setup.realBatch });
  let step = 0;
  const run = async (count: number) => {
    for (let i = 0; i < count; i++) trainer.step(++step);
    await setup.generator.variables[0].data();
  };
  try {
    await run(warmup);
    const timings: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      await run(steps);
      timings.push((performance.now() - start) / steps);
    }
    return timings;
  } finally {
    trainer.dispose();
    setup.dispose();
  }
}

function format(timings: number[]): string {
  const digits = (x: number) => {
    if (x >= 100) return x.toFixed(0);
    return x >= 10 ? x.toFixed(1) : x.toFixed(2);
  };
  return `${digits(median(timings))} (${digits(Math.min(...timings))}–${digits(Math.max(...timings))})`;
}

async function main(): Promise<void> {
  const backend = await selectBackend(process.argv.includes('--backend') ? option('backend', '') : undefined);
  const repeats = positiveInteger('repeats', 7);
  const steps = positiveInteger('steps', 20);
  const warmup = positiveInteger('warmup', 10);
  const variants = backend.name === 'wasm' ? [true, false] : [false];
  console.log(
    `GAN step on ${backend.name} (${backend.package} ${backend.version}, ${backend.threads} thread(s)); ` +
      `ms per step, median (min–max) of ${repeats} timings of ${steps} steps after ${warmup} warm-up steps`,
  );
  console.log(`G: 128 → h → h → 2, D: 2 → h → h → 1, ReLU, NS cost, Adam; node ${process.version}`);
  console.log('');
  const header = ['hidden width', 'batch'];
  if (backend.name === 'wasm') header.push('wasm matMul fix', 'tfjs kernels', 'speed-up');
  else header.push('ms/step');
  // The first steps of a process also pay for JIT compilation; keep them out of every row.
  await timeSteps(WIDTHS[0], BATCHES[0], 1, 1, 3 * warmup);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---:').join('|')}|`);
  for (const width of WIDTHS) {
    for (const batchSize of BATCHES) {
      const cells: string[] = [String(width), String(batchSize)];
      const medians: number[] = [];
      for (const fixed of variants) {
        if (backend.name === 'wasm') {
          if (fixed) installWasmMatMulFix();
          else uninstallWasmMatMulFix();
        }
        const timings = await timeSteps(width, batchSize, repeats, steps, warmup);
        medians.push(median(timings));
        cells.push(format(timings));
      }
      if (medians.length === 2) cells.push(`${(medians[1] / medians[0]).toFixed(1)}×`);
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
  if (tf.memory().numTensors > 0) console.log(`\n(${tf.memory().numTensors} tensors still allocated)`);

  // The MNIST networks are timed with the wasm fixes in place, as training runs them.
  if (backend.name === 'wasm') installWasmMatMulFix();
  if (!process.argv.includes('--toy-only')) {
    const mnistOptions = { repeats: Math.min(repeats, 3), steps: Math.max(5, Math.round(steps / 4)), warmup: 2 };
    console.log('');
    console.log(formatMnistBench(await benchMnistSteps(mnistOptions), backend, mnistOptions));
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
