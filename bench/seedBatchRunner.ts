/**
 * S runs of a workload trained as one batched program (SeedBatchTrainer): the networks of
 * run seeds 1 … S, stacked on a seed axis, each seed with its own real-batch sampler.
 * The seed axis covers dense networks only, so workloads with convolutions have no runner.
 */
import { denseLayout, stackDenseNetworks } from '../src/nets/seedBatchedDense.ts';
import { SeedBatchTrainer } from '../src/train/seedBatchTrainer.ts';
import type { StepRunner } from './compare.ts';
import type { BenchSetup, ComparisonWorkload } from './workloads.ts';

/** Tells whether the workload's networks can take a seed axis, without building S copies. */
export function canBatchSeeds(workload: ComparisonWorkload): boolean {
  const setup = workload.build(workload.config);
  try {
    return denseLayout(setup.generator) !== undefined && denseLayout(setup.discriminator) !== undefined;
  } finally {
    setup.dispose();
  }
}

/** Builds S seeds of a workload as one SeedBatchTrainer, or returns undefined for networks it cannot batch. */
export function seedBatchRunner(workload: ComparisonWorkload, seedCount: number): StepRunner | undefined {
  if (!Number.isInteger(seedCount) || seedCount < 1) {
    throw new RangeError(`seedBatchRunner: seedCount must be a positive integer, received ${String(seedCount)}`);
  }
  if (!canBatchSeeds(workload)) return undefined;

  const seeds = Array.from({ length: seedCount }, (_, s) => workload.config.seed + s);
  // The plain setups stay alive for their real-batch samplers; their networks are only copied.
  const setups: BenchSetup[] = seeds.map((seed) => workload.build({ ...workload.config, seed }));
  const generator = stackDenseNetworks('G', setups.map((setup) => setup.generator));
  const discriminator = stackDenseNetworks('D', setups.map((setup) => setup.discriminator));
  const trainer = new SeedBatchTrainer({
    generator,
    discriminator,
    config: workload.config,
    seeds,
    realBatch: setups.map((setup) => setup.realBatch),
  });
  return {
    step: (index) => trainer.step(index),
    synchronize: () => generator.variables[0].data(),
    dispose: () => {
      trainer.dispose();
      generator.dispose();
      discriminator.dispose();
      setups.forEach((setup) => setup.dispose());
    },
  };
}
