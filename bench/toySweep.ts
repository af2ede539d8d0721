/**
 * The toy step over hidden widths 64, 128 and 256 and batches 128 and 512 (G 128 → h → h → 2,
 * D 2 → h → h → 1, as the ring experiments train them). On wasm every size is timed with
 * and without the matrix-product fix of src/kernels/wasmMatMul.ts, to show what the fix is
 * worth. The fix is installed again afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../src/backend.ts';
import { installWasmMatMulFix, uninstallWasmMatMulFix } from '../src/kernels/wasmMatMul.ts';
import { resolveTrainConfig } from '../src/train/config.ts';
import { GanTrainer } from '../src/train/ganTrainer.ts';
import { createSetup } from '../src/train/mixtureSetup.ts';
import { formatSpread, median, timeSteps, type StepTimings } from './timing.ts';

const WIDTHS = [64, 128, 256];
const BATCHES = [128, 512];

export interface ToySweepOptions {
  repeats: number;
  steps: number;
  warmup: number;
}

async function timeToyStep(width: number, batchSize: number, options: ToySweepOptions): Promise<StepTimings> {
  const config = resolveTrainConfig({ cost: 'ns', steps: 1, batchSize, seed: 1 });
  const setup = createSetup({ mixture: { kind: 'ring' }, generatorHidden: [width, width], discriminatorHidden: [width, width] }, config);
  const trainer = new GanTrainer({ generator: setup.generator, discriminator: setup.discriminator, config, realBatch: setup.realBatch });
  try {
    return await timeSteps((step) => trainer.step(step), () => setup.generator.variables[0].data(), options);
  } finally {
    trainer.dispose();
    setup.dispose();
  }
}

/** Times every size and returns the table, with a heading that names the backend. */
export async function runToySweep(backend: BackendInfo, options: ToySweepOptions): Promise<string> {
  const wasm = backend.name === 'wasm';
  const lines = [
    `Toy GAN step on ${backend.name} (${backend.package} ${backend.version}, ${backend.threads} thread(s)); ` +
      `ms per step, median (min–max) of ${options.repeats} timings of ${options.steps} steps after ${options.warmup} warm-up steps`,
    `G: 128 → h → h → 2, D: 2 → h → h → 1, ReLU, NS cost, Adam; node ${process.version}`,
    '',
  ];
  const header = ['hidden width', 'batch', ...(wasm ? ['wasm matMul fix', 'tfjs kernels', 'speed-up'] : ['ms/step'])];
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---:').join('|')}|`);

  // The first steps of a process also pay for JIT compilation; keep them out of every row.
  await timeToyStep(WIDTHS[0], BATCHES[0], { repeats: 1, steps: 1, warmup: 3 * options.warmup });
  try {
    for (const width of WIDTHS) {
      for (const batchSize of BATCHES) {
        const cells = [String(width), String(batchSize)];
        const medians: number[] = [];
        for (const fixed of wasm ? [true, false] : [false]) {
          if (wasm && fixed) installWasmMatMulFix();
          if (wasm && !fixed) uninstallWasmMatMulFix();
          const timings = await timeToyStep(width, batchSize, options);
          medians.push(median(timings.wallMs));
          cells.push(formatSpread(timings.wallMs));
        }
        if (medians.length === 2) cells.push(`${(medians[1] / medians[0]).toFixed(1)}×`);
        lines.push(`| ${cells.join(' | ')} |`);
      }
    }
  } finally {
    if (wasm) installWasmMatMulFix();
  }
  if (tf.memory().numTensors > 0) lines.push('', `(${tf.memory().numTensors} tensors still allocated)`);
  return lines.join('\n');
}
