/**
 * Throughput of the compared steps: GFLOP/s achieved on each side, and the floor of our
 * step time if every multiply-add ran at our backend's float32 matMul ceiling. No step on
 * this backend can beat the floor, so the gap between the step and its floor is what faster
 * kernels could still gain, and the gap below it only a faster backend (more threads, wider
 * SIMD) could close.
 */
import * as tf from '@tensorflow/tfjs';
import type { ComparisonRow } from './compare.ts';
import { formatMs, median, timeSteps } from './timing.ts';

/** Side of the square matrices that measure the ceiling: large enough to amortise call overhead. */
export const CEILING_MATRIX_SIZE = 1024;

/** Measures float32 GFLOP/s of an n×n by n×n tf.matMul on the current backend (median of `repeats`). */
export async function measureMatMulCeiling(size = CEILING_MATRIX_SIZE, repeats = 5): Promise<number> {
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  let product: tf.Tensor | undefined;
  try {
    const timings = await timeSteps(
      () => {
        product?.dispose();
        product = tf.matMul(a, b);
      },
      () => product!.data(),
      { repeats, warmup: 1, steps: 1 },
    );
    return (2 * size ** 3) / (median(timings.wallMs) / 1000) / 1e9;
  } finally {
    product?.dispose();
    a.dispose();
    b.dispose();
  }
}

export interface ThroughputOptions {
  /** FLOPs of one step per workload name. */
  stepFlops: Record<string, number>;
  seeds?: number;
  torch: boolean;
  /** Our backend's matMul ceiling in GFLOP/s. */
  ceiling: number;
}

function gflops(flops: number, ms: number): string {
  const value = flops / (ms / 1000) / 1e9;
  return value >= 10 ? value.toFixed(0) : value.toFixed(1);
}

/**
 * Formats achieved GFLOP/s per side and our floor as a Markdown table. The best ratio is
 * the floor over PyTorch's median step time: ours / PyTorch can go no lower on this backend.
 */
export function formatThroughputTable(rows: readonly ComparisonRow[], options: ThroughputOptions): string {
  const header = ['workload', 'GFLOP/step', 'ours, 1 seed'];
  if (options.seeds !== undefined) header.push(`ours, per seed at S = ${options.seeds}`);
  if (options.torch) header.push('PyTorch');
  header.push('our floor, ms');
  if (options.torch) header.push('best ours / PyTorch');
  const lines = [
    `Achieved GFLOP/s (multiply-adds of the step over its median time), and our floor: the step at ${options.ceiling.toFixed(1)} GFLOP/s, our matMul ceiling.`,
    '',
    `| ${header.join(' | ')} |`,
    `| --- |${header.slice(1).map(() => ' ---: |').join('')}`,
  ];
  for (const row of rows) {
    const flops = options.stepFlops[row.workload];
    if (flops === undefined) throw new RangeError(`formatThroughputTable: no FLOP count for workload "${row.workload}"`);
    const cells = [row.label, (flops / 1e9).toFixed(3), gflops(flops, median(row.rounds.flatMap((round) => round.ours.wallMs)))];
    if (options.seeds !== undefined) {
      const seeds = options.seeds;
      const perSeed = row.rounds.flatMap((round) => round.batched?.wallMs.map((ms) => ms / seeds) ?? []);
      cells.push(perSeed.length > 0 ? gflops(flops, median(perSeed)) : '–');
    }
    const torch = row.rounds.flatMap((round) => (round.torch ? [round.torch.msMedian] : []));
    const torchMs = torch.length > 0 ? median(torch) : undefined;
    if (options.torch) cells.push(torchMs === undefined ? '–' : gflops(flops, torchMs));
    const floorMs = (flops / 1e9 / options.ceiling) * 1000;
    cells.push(formatMs(floorMs));
    if (options.torch) cells.push(torchMs === undefined ? '–' : `${(floorMs / torchMs).toFixed(2)}×`);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
