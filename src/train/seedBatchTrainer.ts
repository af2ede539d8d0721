/**
 * S training runs of one config that differ only in their seed, trained as one program on
 * a seed axis. Seed s's networks, batches, costs and Adam state are those a GanTrainer
 * with config.seed = seeds[s] has, and every step does what GanTrainer.step does, for all
 * seeds at once: one batched product per layer, one Adam update per variable.
 *
 * The optimised loss is the sum over seeds of each seed's cost. Seeds share no parameter,
 * so its gradient with respect to seed s's weights is seed s's own gradient. Batch factors
 * R and the unit rescaling are per seed (src/costs/seedAxis.ts). Adam is elementwise, with
 * one step count per variable that all seeds share. The batched Adam therefore equals S
 * separate ones, including bias corrections and resets of G's state.
 *
 * A NaN or infinite value stays in its own seed: nothing mixes seeds. A diverged seed
 * keeps computing (with NaN weights) while the others train on; callers stop using it.
 * As in GanTrainer, a step reads nothing back from the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { seedAxisCost, type SeedAxisCost } from '../costs/seedAxis.ts';
import type { SeedBatchedDenseNetwork } from '../nets/seedBatchedDense.ts';
import { Adam, type AdamState } from './adam.ts';
import type { TrainConfig } from './config.ts';
import type { RealBatchSampler, TrainerState } from './ganTrainer.ts';
import { measureSeedStep, type SeedStepMeasurement } from './seedBatchDiagnostics.ts';
import { deriveSeed } from './seeds.ts';

export interface SeedBatchTrainerOptions {
  /** G and D with a seed axis of size `seeds.length`. */
  generator: SeedBatchedDenseNetwork;
  discriminator: SeedBatchedDenseNetwork;
  /** The shared config; its `seed` is ignored in favour of `seeds`. */
  config: TrainConfig;
  /** Run seed of each seed index. */
  seeds: number[];
  /** One sampler for every seed, or one per seed (e.g. each run's own setup). */
  realBatch: RealBatchSampler | RealBatchSampler[];
}

/** Per-seed losses [S] and the gradients (leading axis S) of one player. */
export interface SeedGradients {
  loss: tf.Tensor1D;
  gradients: tf.Tensor[];
}

export class SeedBatchTrainer {
  readonly generator: SeedBatchedDenseNetwork;
  readonly discriminator: SeedBatchedDenseNetwork;
  readonly config: TrainConfig;
  readonly seeds: readonly number[];
  readonly cost: SeedAxisCost;
  readonly generatorAdam: Adam;
  readonly discriminatorAdam: Adam;
  private readonly samplers: RealBatchSampler[];
  /** First step whose G or D loss was NaN or infinite, per seed, or −1; lives on the backend. */
  private readonly firstNonFiniteStep: tf.Variable;
  /** Tensors kept past variableGrads's tidy (per-seed losses, samples), released after the step. */
  private keptLosses: tf.Tensor[] = [];

  constructor(options: SeedBatchTrainerOptions) {
    const { generator, discriminator, config, seeds, realBatch } = options;
    if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((seed) => Number.isSafeInteger(seed))) {
      throw new TypeError(`SeedBatchTrainer: seeds must be a non-empty list of integers, received ${JSON.stringify(seeds)}`);
    }
    for (const [label, network] of [['generator', generator], ['discriminator', discriminator]] as const) {
      if (network.seedCount !== seeds.length) {
        throw new RangeError(`SeedBatchTrainer: the ${label} has ${network.seedCount} seeds, expected ${seeds.length}`);
      }
    }
    if (Array.isArray(realBatch) && realBatch.length !== seeds.length) {
      throw new RangeError(`SeedBatchTrainer: expected ${seeds.length} real-batch samplers, received ${realBatch.length}`);
    }
    this.generator = generator;
    this.discriminator = discriminator;
    this.config = config;
    this.seeds = [...seeds];
    this.samplers = Array.isArray(realBatch) ? [...realBatch] : seeds.map(() => realBatch);
    this.cost = seedAxisCost(config.cost, config.costOptions);
    this.generatorAdam = new Adam(generator.variables, config.generatorAdam);
    this.discriminatorAdam = new Adam(discriminator.variables, config.discriminatorAdam);
    this.firstNonFiniteStep = tf.tidy(() => tf.variable(tf.fill([seeds.length], -1), false));
  }

  get seedCount(): number {
    return this.seeds.length;
  }

  /** G's input noise [S, N, noiseDimension]; seed s draws with the seed `labels` derive from it. */
  noise(batchSize: number, ...labels: (string | number)[]): tf.Tensor3D {
    const { noiseDimension } = this.config;
    return tf.tidy(() =>
      tf.stack(
        this.seeds.map((seed) => tf.randomNormal([batchSize, noiseDimension], 0, 1, 'float32', deriveSeed(seed, ...labels))),
      ),
    ) as tf.Tensor3D;
  }

  /** Real samples [S, N, ...]; seed s's batch is the one its own run draws for `labels`. */
  realBatch(batchSize: number, ...labels: (string | number)[]): tf.Tensor {
    return tf.tidy(() =>
      tf.stack(this.seeds.map((seed, s) => this.samplers[s](batchSize, deriveSeed(seed, ...labels)))),
    );
  }

  /** Keeps a tensor past the tidy of tf.variableGrads; `step` releases it. */
  private keepLoss<T extends tf.Tensor>(tensor: T): T {
    this.keptLosses.push(tf.keep(tensor));
    return tensor;
  }

  /** D's per-seed cost and gradient; the fake samples are constants here. */
  discriminatorGradients(real: tf.Tensor, fake: tf.Tensor): SeedGradients {
    const { gradientPenalty, costOptions } = this.config;
    const variables = this.discriminator.variables;
    let loss: tf.Tensor1D | undefined;
    const { grads } = tf.variableGrads(() => {
      let perSeed = this.cost.discriminator(this.discriminator.apply(real), this.discriminator.apply(fake));
      if (gradientPenalty > 0) perSeed = tf.add(perSeed, this.gradientPenalty(real, gradientPenalty, costOptions.reduction));
      loss = this.keepLoss(perSeed);
      return tf.sum(perSeed);
    }, variables);
    return { loss: loss!, gradients: variables.map((variable) => grads[variable.name]) };
  }

  /**
   * Computes the zero-centred real-data penalty (λ/2)·‖∇ₓD_l(x)‖² of gradientPenalty.ts per seed,
   * [S], reduced over each seed's batch like the cost. Samples and seeds do not interact in
   * D, so ∇ₓ of the sum over everything contains each sample's own gradient.
   */
  private gradientPenalty(real: tf.Tensor, weight: number, reduction: 'mean' | 'sum' | undefined): tf.Tensor1D {
    const inputGradient = tf.grad((x: tf.Tensor) => tf.sum(this.discriminator.apply(x)))(real);
    const axes = Array.from({ length: inputGradient.rank - 2 }, (_, i) => i + 2);
    const squaredNorms = tf.sum(tf.square(inputGradient), axes);
    const reduced = reduction === 'sum' ? tf.sum(squaredNorms, 1) : tf.mean(squaredNorms, 1);
    return tf.mul(reduced, weight / 2);
  }

  /** G's per-seed cost and gradient, after the cost's per-seed rescaling if it has one. */
  generatorGradients(noise: tf.Tensor, cost: SeedAxisCost = this.cost): SeedGradients {
    return this.generatorGradientsAndSamples(noise, cost);
  }

  /** Computes what generatorGradients does and also returns G(noise) of the taped forward pass. */
  private generatorGradientsAndSamples(noise: tf.Tensor, cost: SeedAxisCost): SeedGradients & { fake: tf.Tensor } {
    const variables = this.generator.variables;
    let loss: tf.Tensor1D | undefined;
    let fake: tf.Tensor | undefined;
    const { grads } = tf.variableGrads(() => {
      fake = this.keepLoss(this.generator.apply(noise));
      const perSeed = cost.generator(this.discriminator.apply(fake));
      loss = this.keepLoss(perSeed);
      return tf.sum(perSeed);
    }, variables);
    let gradients = variables.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
    if (cost.rescaleGeneratorGradients) gradients = cost.rescaleGeneratorGradients(gradients);
    return { loss: loss!, gradients, fake: fake! };
  }

  /**
   * Runs training step `step` (counted from 1) for every seed. With `measure`, also returns
   * the step's per-seed diagnostics as tensors; read them with `readSeedMeasurement`.
   */
  step(step: number, measure = false): SeedStepMeasurement | undefined {
    const { resetGeneratorAdamEvery } = this.config;
    let result: SeedStepMeasurement | undefined;
    try {
      result = tf.tidy(
        () =>
          (this.config.schedule === 'simultaneous'
            ? this.simultaneousStep(step, measure)
            : this.alternatingStep(step, measure)) as unknown as tf.TensorContainer,
      ) as unknown as SeedStepMeasurement | undefined;
    } finally {
      const owned = new Set<tf.Tensor>(result ? [result.lossGenerator, result.lossDiscriminator] : []);
      for (const tensor of this.keptLosses) if (!owned.has(tensor)) tensor.dispose();
      this.keptLosses = [];
    }
    if (resetGeneratorAdamEvery > 0 && step % resetGeneratorAdamEvery === 0) this.generatorAdam.reset();
    return result;
  }

  private simultaneousStep(step: number, measure: boolean): SeedStepMeasurement | undefined {
    const { batchSize } = this.config;
    const noise = this.noise(batchSize, 'noise', step);
    const real = this.realBatch(batchSize, 'real', step);
    // Both players see the same G(noise), so D reuses the samples of G's forward pass:
    // the same kernels on the same inputs as a second forward pass, one pass fewer.
    const { fake, ...generator } = this.generatorGradientsAndSamples(noise, this.cost);
    const discriminator = this.discriminatorGradients(real, fake);
    const measurement = measure ? measureSeedStep(this, { real, noise, generator, discriminator }) : undefined;

    const updateD = this.discriminatorAdam.apply(discriminator.gradients, measure);
    const updateG = this.generatorAdam.apply(generator.gradients, measure);
    this.recordNonFinite(step, generator.loss, discriminator.loss);
    return withUpdates(measurement, updateG, updateD);
  }

  private alternatingStep(step: number, measure: boolean): SeedStepMeasurement | undefined {
    const { batchSize, discriminatorSteps } = this.config;
    const discriminatorUpdate = (k: number, measureUpdate: boolean) => {
      const real = this.realBatch(batchSize, 'real', step, k);
      const noise = this.noise(batchSize, 'noise', step, 'd', k);
      const gradients = this.discriminatorGradients(real, this.generator.apply(noise));
      const update = this.discriminatorAdam.apply(gradients.gradients, measureUpdate);
      return { real, gradients, update };
    };
    for (let k = 0; k < discriminatorSteps - 1; k++) tf.tidy(() => void discriminatorUpdate(k, false));
    const last = discriminatorUpdate(discriminatorSteps - 1, measure);

    const noise = this.noise(batchSize, 'noise', step);
    const generator = this.generatorGradients(noise);
    const measurement = measure
      ? measureSeedStep(this, { real: last.real, noise, generator, discriminator: last.gradients })
      : undefined;
    const updateG = this.generatorAdam.apply(generator.gradients, measure);
    this.recordNonFinite(step, generator.loss, last.gradients.loss);
    return withUpdates(measurement, updateG, last.update);
  }

  private recordNonFinite(step: number, generatorLoss: tf.Tensor1D, discriminatorLoss: tf.Tensor1D): void {
    const finite = tf.logicalAnd(tf.isFinite(generatorLoss), tf.isFinite(discriminatorLoss));
    const first = tf.logicalAnd(tf.logicalNot(finite), tf.less(this.firstNonFiniteStep, 0));
    this.firstNonFiniteStep.assign(tf.where(first, tf.fill([this.seedCount], step), this.firstNonFiniteStep as tf.Tensor));
  }

  /** Returns, per seed, the first step with a NaN or infinite loss, or null; reads from the backend. */
  async divergedAt(): Promise<(number | null)[]> {
    const values = await this.firstNonFiniteStep.data();
    return Array.from(values, (value) => (value < 0 ? null : value));
  }

  /** Reads every seed's state back, in GanTrainer's checkpoint layout. */
  async exportStates(): Promise<TrainerState[]> {
    const read = (variables: readonly tf.Variable[]) =>
      Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));
    const generator = await read(this.generator.variables);
    const discriminator = await read(this.discriminator.variables);
    const generatorAdam = await this.generatorAdam.exportState();
    const discriminatorAdam = await this.discriminatorAdam.exportState();
    return this.seeds.map((_, s) => ({
      generator: generator.map((values) => seedSlice(values, s, this.seedCount)),
      discriminator: discriminator.map((values) => seedSlice(values, s, this.seedCount)),
      generatorState: [],
      discriminatorState: [],
      generatorAdam: adamSlice(generatorAdam, s, this.seedCount),
      discriminatorAdam: adamSlice(discriminatorAdam, s, this.seedCount),
    }));
  }

  /** Restores every seed from its own state (as `exportStates` or a GanTrainer writes it). */
  loadStates(states: TrainerState[]): void {
    if (!Array.isArray(states) || states.length !== this.seedCount) {
      throw new RangeError(`SeedBatchTrainer.loadStates: expected ${this.seedCount} states, received ${states?.length}`);
    }
    const join = (pick: (state: TrainerState) => Float32Array[], variables: readonly tf.Variable[], label: string) =>
      variables.map((variable, i) => {
        const parts = states.map((state, s) => {
          const values = pick(state)[i];
          if (values === undefined || values.length * this.seedCount !== variable.size) {
            throw new RangeError(
              `SeedBatchTrainer.loadStates: state ${s} has no ${variable.size / this.seedCount} ${label} values for ${variable.name}`,
            );
          }
          return values;
        });
        return concatenate(parts);
      });
    const generator = join((state) => state.generator, this.generator.variables, 'weight');
    const discriminator = join((state) => state.discriminator, this.discriminator.variables, 'weight');
    const generatorAdam = joinAdam(states.map((state) => state.generatorAdam), this.generator.variables, 'generator');
    const discriminatorAdam = joinAdam(states.map((state) => state.discriminatorAdam), this.discriminator.variables, 'discriminator');
    tf.tidy(() => {
      this.generator.variables.forEach((v, i) => v.assign(tf.tensor(generator[i], v.shape)));
      this.discriminator.variables.forEach((v, i) => v.assign(tf.tensor(discriminator[i], v.shape)));
    });
    this.generatorAdam.loadState(generatorAdam);
    this.discriminatorAdam.loadState(discriminatorAdam);
  }

  /** Releases the optimizers' tensors; the networks belong to the caller. */
  dispose(): void {
    this.generatorAdam.dispose();
    this.discriminatorAdam.dispose();
    this.firstNonFiniteStep.dispose();
  }
}

function withUpdates(
  measurement: SeedStepMeasurement | undefined,
  generatorUpdates: (tf.Tensor | undefined)[] | undefined,
  discriminatorUpdates: (tf.Tensor | undefined)[] | undefined,
): SeedStepMeasurement | undefined {
  if (measurement === undefined) return undefined;
  measurement.generatorUpdates = generatorUpdates ?? [];
  measurement.discriminatorUpdates = discriminatorUpdates ?? [];
  return measurement;
}

/** Seed s's part of a tensor with a leading seed axis of size `seeds`, read as a flat array. */
export function seedSlice(values: Float32Array, s: number, seeds: number): Float32Array {
  const size = values.length / seeds;
  return values.slice(s * size, (s + 1) * size);
}

function adamSlice(state: AdamState, s: number, seeds: number): AdamState {
  return {
    steps: [...state.steps],
    m: state.m.map((values) => seedSlice(values, s, seeds)),
    v: state.v.map((values) => seedSlice(values, s, seeds)),
  };
}

function concatenate(parts: Float32Array[]): Float32Array {
  const joined = new Float32Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** Joins per-seed Adam states; the step counts must agree, since the seeds step together. */
function joinAdam(states: AdamState[], variables: readonly tf.Variable[], label: string): AdamState {
  const steps = states[0].steps;
  states.forEach((state, s) => {
    if (state.steps.length !== steps.length || state.steps.some((t, i) => t !== steps[i])) {
      throw new RangeError(
        `SeedBatchTrainer.loadStates: ${label} Adam step counts of state ${s} [${state.steps}] differ from state 0 [${steps}]`,
      );
    }
  });
  const seeds = states.length;
  const join = (pick: (state: AdamState) => Float32Array[]) =>
    variables.map((variable, i) =>
      concatenate(
        states.map((state, s) => {
          const values = pick(state)[i];
          if (values === undefined || values.length * seeds !== variable.size) {
            throw new RangeError(`SeedBatchTrainer.loadStates: ${label} Adam moments of state ${s} do not fit ${variable.name}`);
          }
          return values;
        }),
      ),
    );
  return { steps: [...steps], m: join((state) => state.m), v: join((state) => state.v) };
}
