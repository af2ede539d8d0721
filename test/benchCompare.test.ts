/**
 * The comparison of `npm run bench` on fixed inputs: the ratio table, the kernel profile
 * table, the step counting of the shared timing loop, and the workloads' layer shapes
 * against the PyTorch baseline's. Nothing here asserts a duration.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { formatComparisonTable, type ComparisonRow } from '../bench/compare.ts';
import { stepFlops } from '../bench/flops.ts';
import { formatProfile } from '../bench/profile.ts';
import { formatThroughputTable } from '../bench/throughput.ts';
import { formatSpread, median, timeSteps } from '../bench/timing.ts';
import type { TorchResult } from '../bench/torch.ts';
import { seedBatchRunner } from '../bench/seedBatchRunner.ts';
import { COMPARISON_WORKLOADS, selectWorkloads, type ComparisonWorkload } from '../bench/workloads.ts';
import { resolveTrainConfig } from '../src/train/config.ts';
import { createSetup } from '../src/train/mixtureSetup.ts';

// Other test files in the same process may leave a backend registered but not initialised.
test.before(async () => {
  await tf.setBackend('cpu');
});

function torch(msMedian: number, msMin: number, msMax: number): TorchResult {
  return { workload: 'toy2d_H128_B128', msMedian, msMin, msMax, repeats: 7, stepsPerRepeat: 200, threads: 2, torchVersion: '1.13.0a0', blas: [] };
}

const timings = (wallMs: number[]) => ({ steps: 10, wallMs, cpuMs: wallMs });

const ROWS: ComparisonRow[] = [
  {
    workload: 'toy2d_H128_B128',
    label: 'ring, hidden 128, batch 128',
    rounds: [
      { ours: timings([8, 9, 12]), batched: timings([30, 31, 29]), torch: torch(2, 1.9, 2.6) },
      { ours: timings([10, 10, 10]), batched: timings([40, 40, 40]), torch: torch(4, 3.5, 4.4) },
    ],
  },
  {
    workload: 'mnist_conv4_B64',
    label: 'MNIST Conv-4, batch 64',
    rounds: [{ ours: timings([600, 650, 620]) }],
    torchError: 'torch baseline failed on mnist_conv4_B64: RuntimeError: out of memory',
  },
];

function tableLines(text: string): string[][] {
  return text.split('\n').map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

test('comparison table with PyTorch and S = 10', () => {
  const [header, , ring, conv] = tableLines(formatComparisonTable(ROWS, { torch: true, seeds: 10 }));
  assert.equal(header, ['workload', 'ours, 1 seed', 'ours, per seed at S = 10', 'PyTorch', 'ours / PyTorch, 1 seed', 'ours / PyTorch, per seed at S = 10']);
  // Ours pools the six timings: median 10, per seed (3.1 + 4.0)/2. PyTorch: median of the round medians 2 and 4, min–max over rounds.
  // Ratios per round: 9/2 = 4.5 and 10/4 = 2.5, median 3.5; per seed 3.0/2 = 1.5 and 4.0/4 = 1.0, median 1.25.
  assert.equal(ring, ['ring, hidden 128, batch 128', '10.0 (8.00–12.0)', '3.55 (2.90–4.00)', '3.00 (1.90–4.40)', '3.50×', '1.25×']);
  assert.equal(conv, ['MNIST Conv-4, batch 64', '620 (600–650)', '–', 'failed', '–', '–']);
});

test('comparison table without PyTorch', () => {
  const [header, rule, ring] = tableLines(formatComparisonTable(ROWS, { torch: false }));
  assert.equal(header, ['workload', 'ours, 1 seed']);
  assert.equal(rule, ['---', '---:']);
  assert.equal(ring, ['ring, hidden 128, batch 128', '10.0 (8.00–12.0)']);
});

test('comparison table writes large ratios without decimals', () => {
  const rows: ComparisonRow[] = [{ workload: 'w', label: 'w', rounds: [{ ours: timings([250]), torch: torch(10, 10, 10) }] }];
  const [, , row] = tableLines(formatComparisonTable(rows, { torch: true }));
  assert.is(row[3], '25×');
});

test('throughput table and floor', () => {
  const stepFlops = { toy2d_H128_B128: 1e8, mnist_conv4_B64: 6e9 };
  const text = formatThroughputTable(ROWS, { stepFlops, seeds: 10, torch: true, ceiling: 20 });
  const [header, , ring, conv] = tableLines(text.split('\n').slice(2).join('\n'));
  assert.equal(header, ['workload', 'GFLOP/step', 'ours, 1 seed', 'ours, per seed at S = 10', 'PyTorch', 'our floor, ms', 'best ours / PyTorch']);
  // 0.1 GFLOP in 10 ms, 3.55 ms and 3 ms; at 20 GFLOP/s it takes 5 ms, 5/3 of PyTorch's 3 ms.
  assert.equal(ring, ['ring, hidden 128, batch 128', '0.100', '10', '28', '33', '5.00', '1.67×']);
  assert.equal(conv, ['MNIST Conv-4, batch 64', '6.000', '9.7', '–', '–', '300', '–']);
  assert.throws(() => formatThroughputTable(ROWS, { stepFlops: {}, torch: false, ceiling: 20 }), /no FLOP count for workload "toy2d_H128_B128"/);
});

test('median and spread formatting', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.is(formatSpread([0.5, 123.4, 12.34]), '12.3 (0.50–123)');
  assert.throws(() => median([]), /at least one value/);
});

test('timeSteps counts steps and synchronises', async () => {
  const indices: number[] = [];
  let synchronised = 0;
  const result = await timeSteps((index) => indices.push(index), async () => synchronised++, { repeats: 2, warmup: 3, steps: 4 });
  assert.equal(indices, Array.from({ length: 11 }, (_, i) => i + 1));
  assert.is(synchronised, 3);
  assert.is(result.steps, 4);
  assert.is(result.wallMs.length, 2);
  assert.is(result.cpuMs.length, 2);
});

test('timeSteps rejects zero repeats', async () => {
  try {
    await timeSteps(() => {}, async () => {}, { repeats: 0, warmup: 0, steps: 1 });
    assert.unreachable('zero repeats should be rejected');
  } catch (error) {
    assert.match((error as Error).message, 'timeSteps: repeats must be an integer ≥ 1, received 0');
  }
});

test('profile table totals per step', () => {
  const profile = {
    steps: 2,
    wallMs: 40,
    kernelMs: 30,
    calls: 10,
    kernels: [
      { name: 'BatchMatMul', calls: 4, totalMs: 24 },
      { name: 'Add', calls: 4, totalMs: 4 },
      { name: 'Mul', calls: 2, totalMs: 2 },
    ],
  };
  const text = formatProfile('ring', profile, 2);
  assert.match(text, 'ring: 20.0 ms wall per step under the profiler, 15.0 ms in 5 kernel calls (75 % of wall time)');
  const rows = tableLines(text.split('\n').slice(2).join('\n'));
  assert.equal(rows[2], ['BatchMatMul', '2', '12.0', '80.0 %']);
  assert.equal(rows[3], ['Add', '2', '2.00', '13.3 %']);
  assert.equal(rows[4], ['1 other kernels', '1', '1.00', '6.7 %']);
});

test('selectWorkloads rejects an unknown name', () => {
  assert.throws(() => selectWorkloads(['toy2d_H64_B64']), /unknown --workload "toy2d_H64_B64"; expected one of toy2d_H128_B128/);
  assert.is(selectWorkloads(undefined).length, COMPARISON_WORKLOADS.length);
});

// Weight shapes of the PyTorch baseline's WORKLOADS, in tfjs layout: dense [in, out],
// conv [k, k, in, out], transposed conv [k, k, out, in]. Biases are left out.
const BASELINE_KERNELS: Record<string, { generator: number[][]; discriminator: number[][]; image: number[] }> = {
  toy2d_H128_B128: { generator: [[2, 128], [128, 128], [128, 128], [128, 2]], discriminator: [[2, 128], [128, 128], [128, 128], [128, 1]], image: [2] },
  toy2d_H128_B512: { generator: [[2, 128], [128, 128], [128, 128], [128, 2]], discriminator: [[2, 128], [128, 128], [128, 128], [128, 1]], image: [2] },
  mnist_fc4_B64: { generator: [[64, 512], [512, 512], [512, 512], [512, 784]], discriminator: [[784, 512], [512, 512], [512, 512], [512, 1]], image: [784] },
  mnist_conv4_B64: {
    generator: [[64, 6272], [3, 3, 64, 128], [3, 3, 32, 64], [3, 3, 32, 1]],
    discriminator: [[3, 3, 1, 32], [3, 3, 32, 64], [3, 3, 64, 128], [2048, 1]],
    image: [28, 28, 1],
  },
};

// step_flops() of the baseline script for each workload, as `torch_baseline.py --list` prints them.
const BASELINE_STEP_FLOPS: Record<string, number> = {
  toy2d_H128_B128: 101_777_408,
  toy2d_H128_B512: 407_109_632,
  mnist_fc4_B64: 1_332_215_808,
  mnist_conv4_B64: 6_147_375_104,
};

test('step FLOPs equal the baseline count', () => {
  for (const workload of COMPARISON_WORKLOADS) {
    const { generator, discriminator } = workload.flopLayers;
    assert.is(stepFlops(generator, discriminator, workload.config.batchSize), BASELINE_STEP_FLOPS[workload.name], workload.name);
  }
});

test('workloads match the baseline layer for layer', () => {
  for (const workload of COMPARISON_WORKLOADS) {
    const expected = BASELINE_KERNELS[workload.name];
    assert.ok(expected, `no baseline shapes for ${workload.name}`);
    const setup = workload.build(workload.config);
    try {
      const kernels = (variables: tf.Variable[]) => variables.filter((variable) => variable.rank > 1).map((variable) => variable.shape);
      assert.equal(kernels(setup.generator.variables), expected.generator, `${workload.name} G`);
      assert.equal(kernels(setup.discriminator.variables), expected.discriminator, `${workload.name} D`);
      tf.tidy(() => {
        const noise = tf.zeros([2, workload.config.noiseDimension]);
        const images = setup.generator.apply(noise);
        assert.equal(images.shape, [2, ...expected.image], `${workload.name} G output`);
        assert.equal(setup.discriminator.apply(images).shape, [2, 1], `${workload.name} D output`);
        assert.equal(setup.realBatch(workload.config.batchSize, 1).shape, [workload.config.batchSize, ...expected.image], `${workload.name} real batch`);
      });
    } finally {
      setup.dispose();
    }
  }
});

/** A ring workload small enough to step on the cpu backend in milliseconds. */
const TINY_RING: ComparisonWorkload = {
  name: 'tiny_ring',
  label: 'tiny ring',
  config: resolveTrainConfig({ cost: 'ns', steps: 1, batchSize: 16, noiseDimension: 2, seed: 1 }),
  differences: '',
  flopLayers: { generator: [], discriminator: [] },
  build: (config) => createSetup({ mixture: { kind: 'ring' }, generatorHidden: [8], discriminatorHidden: [8] }, config),
};

test('seed batch runner steps and releases', async () => {
  const before = tf.memory().numTensors;
  const runner = seedBatchRunner(TINY_RING, 3);
  assert.ok(runner, 'a dense workload can be batched');
  runner.step(1);
  runner.step(2);
  await runner.synchronize();
  runner.dispose();
  assert.is(tf.memory().numTensors, before);
});

test('seed batch runner skips convolutions', () => {
  const conv = COMPARISON_WORKLOADS.find((workload) => workload.name === 'mnist_conv4_B64')!;
  assert.is(seedBatchRunner(conv, 2), undefined);
  assert.throws(() => seedBatchRunner(TINY_RING, 0), /seedCount must be a positive integer, received 0/);
});

test.run();
