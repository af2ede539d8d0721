/**
 * The seed-axis property: S runs trained as one seed-batched program equal S separate
 * GanTrainer runs with the same config and seeds, on the same backend, to float32
 * tolerance. Both start from the same weights, draw the same batches (the same derived
 * seeds), and differ only in the order of float32 additions inside the products.
 */
import { sampleMixture, ringMixture } from '../src/data/mixtures.ts';
import { denseNetwork } from '../src/nets/dense.ts';
import { seedBatchedDenseNetwork } from '../src/nets/seedBatchedDense.ts';
import type { AdamState } from '../src/train/adam.ts';
import { resolveTrainConfig, type TrainConfigInput } from '../src/train/config.ts';
import { readMeasurement, type StepDiagnostics } from '../src/train/diagnostics.ts';
import { GanTrainer, type TrainerState } from '../src/train/ganTrainer.ts';
import { readSeedMeasurement } from '../src/train/seedBatchDiagnostics.ts';
import { SeedBatchTrainer } from '../src/train/seedBatchTrainer.ts';
import { deriveSeed } from '../src/train/seeds.ts';

/** Tiny ring networks: G 4 → 8 → 8 → 2, D 2 → 8 → 8 → 1. */
const NOISE = 4;
const HIDDEN = [8, 8];

/**
 * Weights and Adam moments after a handful of steps: float32 sums in another order differ
 * by a few ulps per product. On wasm the largest differences seen were 3e-8 absolute, on
 * weights near 0.4; the absolute term alone is about 3× that, for entries near 0.
 */
export const STATE_TOLERANCE = { relative: 1e-5, absolute: 1e-7 };
/** Diagnostics are norms, means and cosines of the same float32 tensors. */
export const DIAGNOSTIC_TOLERANCE = { relative: 1e-4, absolute: 1e-6 };

export interface SeedAxisCase {
  label: string;
  seeds: number[];
  config: TrainConfigInput;
  /** Steps whose diagnostics are compared. */
  measuredSteps: number[];
}

/** Run outcome of either form: per seed, the final state and the measured diagnostics. */
export interface SeedRunOutcome {
  states: TrainerState[];
  diagnostics: StepDiagnostics[][];
}

const ring = ringMixture();
const realBatch = (batchSize: number, seed: number) => sampleMixture(ring, batchSize, seed);

function networkOptions(kind: 'generator' | 'discriminator') {
  return kind === 'generator'
    ? { name: 'Gaxis', widths: [NOISE, ...HIDDEN, 2] }
    : { name: 'Daxis', widths: [2, ...HIDDEN, 1] };
}

/** Trains each seed with its own GanTrainer. */
export async function trainSeparately(testCase: SeedAxisCase): Promise<SeedRunOutcome> {
  const states: TrainerState[] = [];
  const diagnostics: StepDiagnostics[][] = [];
  for (const seed of testCase.seeds) {
    const config = resolveTrainConfig({ ...testCase.config, seed, noiseDimension: NOISE });
    const generator = denseNetwork({ ...networkOptions('generator'), seed: deriveSeed(seed, 'generator') });
    const discriminator = denseNetwork({ ...networkOptions('discriminator'), seed: deriveSeed(seed, 'discriminator') });
    const trainer = new GanTrainer({ generator, discriminator, config, realBatch });
    const rows: StepDiagnostics[] = [];
    try {
      for (let step = 1; step <= config.steps; step++) {
        const measurement = trainer.step(step, testCase.measuredSteps.includes(step));
        if (measurement) rows.push(await readMeasurement(measurement));
      }
      states.push(await trainer.exportState());
      diagnostics.push(rows);
    } finally {
      trainer.dispose();
      generator.dispose();
      discriminator.dispose();
    }
  }
  return { states, diagnostics };
}

/** Trains all seeds as one seed-batched program. */
export async function trainBatched(testCase: SeedAxisCase): Promise<SeedRunOutcome> {
  const { seeds } = testCase;
  const config = resolveTrainConfig({ ...testCase.config, seed: seeds[0], noiseDimension: NOISE });
  const generator = seedBatchedDenseNetwork(networkOptions('generator'), seeds.map((s) => deriveSeed(s, 'generator')));
  const discriminator = seedBatchedDenseNetwork(networkOptions('discriminator'), seeds.map((s) => deriveSeed(s, 'discriminator')));
  const trainer = new SeedBatchTrainer({ generator, discriminator, config, seeds, realBatch });
  const diagnostics: StepDiagnostics[][] = seeds.map(() => []);
  try {
    for (let step = 1; step <= config.steps; step++) {
      const measurement = trainer.step(step, testCase.measuredSteps.includes(step));
      if (measurement) (await readSeedMeasurement(measurement)).forEach((row, s) => diagnostics[s].push(row));
    }
    return { states: await trainer.exportStates(), diagnostics };
  } finally {
    trainer.dispose();
    generator.dispose();
    discriminator.dispose();
  }
}

/** Returns the first entry outside tolerance, as text, or undefined when all agree. */
function compareArrays(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: typeof STATE_TOLERANCE): string | undefined {
  if (actual.length !== expected.length) return `${label}: ${actual.length} values, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const bound = tolerance.absolute + tolerance.relative * Math.abs(expected[i]);
    const bothNaN = Number.isNaN(actual[i]) && Number.isNaN(expected[i]);
    if (!bothNaN && !(Math.abs(actual[i] - expected[i]) <= bound)) {
      return `${label}[${i}]: ${actual[i]}, expected ${expected[i]} ± ${bound.toExponential(2)}`;
    }
  }
  return undefined;
}

function adamDifferences(label: string, actual: AdamState, expected: AdamState): (string | undefined)[] {
  const steps = actual.steps.join() === expected.steps.join() ? undefined : `${label} steps [${actual.steps}], expected [${expected.steps}]`;
  return [
    steps,
    ...actual.m.map((m, i) => compareArrays(`${label}.m[${i}]`, m, expected.m[i], STATE_TOLERANCE)),
    ...actual.v.map((v, i) => compareArrays(`${label}.v[${i}]`, v, expected.v[i], STATE_TOLERANCE)),
  ];
}

/** Lists every difference beyond tolerance between a batched and a separate outcome. */
export function outcomeDifferences(batched: SeedRunOutcome, separate: SeedRunOutcome): string[] {
  const found: (string | undefined)[] = [];
  separate.states.forEach((expected, s) => {
    const actual = batched.states[s];
    expected.generator.forEach((values, i) => found.push(compareArrays(`seed ${s} G[${i}]`, actual.generator[i], values, STATE_TOLERANCE)));
    expected.discriminator.forEach((values, i) =>
      found.push(compareArrays(`seed ${s} D[${i}]`, actual.discriminator[i], values, STATE_TOLERANCE)),
    );
    found.push(...adamDifferences(`seed ${s} G Adam`, actual.generatorAdam, expected.generatorAdam));
    found.push(...adamDifferences(`seed ${s} D Adam`, actual.discriminatorAdam, expected.discriminatorAdam));
    separate.diagnostics[s].forEach((row, r) => {
      const other = batched.diagnostics[s][r] as unknown as Record<string, number> | undefined;
      if (other === undefined) {
        found.push(`seed ${s}: diagnostics row ${r} missing`);
        return;
      }
      for (const [key, value] of Object.entries(row)) {
        found.push(compareArrays(`seed ${s} row ${r} ${key}`, [other[key]], [value as number], DIAGNOSTIC_TOLERANCE));
      }
    });
  });
  return found.filter((difference): difference is string => difference !== undefined);
}
