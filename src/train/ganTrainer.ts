/**
 * One GAN training step with per-player optimizers. G's gradient comes from the cost's
 * generator term (batch factors R inside it as stop-gradient constants), rescaled by
 * `transformGeneratorGradients` for mm-unit and ns-unit; D's gradient comes from the
 * cost's discriminator term plus the gradient penalty, which stays outside R. Each player's
 * Adam updates only that player's variables, and tf.variableGrads is always given the
 * player's variable list, so a G step never moves D and the reverse.
 *
 * A step does not read anything back from the backend. Diagnostics are computed as tensors
 * on the steps that ask for them and read afterwards. A non-finite loss is recorded on the
 * backend (the first step it happened) and read at the logging interval.
 */
import * as tf from '@tensorflow/tfjs';
import { getCost } from '../costs/index.ts';
import type { GanCost } from '../costs/types.ts';
import type { Network } from '../nets/network.ts';
import { Adam, type AdamState } from './adam.ts';
import type { TrainConfig } from './config.ts';
import { measureStep, type StepMeasurement } from './diagnostics.ts';
import { realGradientPenalty } from './gradientPenalty.ts';
import { deriveSeed } from './seeds.ts';

/** Draws a real batch of `batchSize` samples; the same seed must give the same batch. */
export type RealBatchSampler = (batchSize: number, seed: number) => tf.Tensor;

export interface GanTrainerOptions {
  generator: Network;
  discriminator: Network;
  config: TrainConfig;
  realBatch: RealBatchSampler;
  /** The cost; built from `config.cost` and `config.costOptions` when absent. */
  cost?: GanCost;
}

/** The trainer's state as plain arrays, for a checkpoint. */
export interface TrainerState {
  generator: Float32Array[];
  discriminator: Float32Array[];
  generatorState: Float32Array[];
  discriminatorState: Float32Array[];
  generatorAdam: AdamState;
  discriminatorAdam: AdamState;
}

export interface Gradients {
  loss: tf.Scalar;
  gradients: (tf.Tensor | undefined)[];
}

export class GanTrainer {
  readonly generator: Network;
  readonly discriminator: Network;
  readonly config: TrainConfig;
  readonly cost: GanCost;
  readonly generatorAdam: Adam;
  readonly discriminatorAdam: Adam;
  private readonly realBatch: RealBatchSampler;
  /** First step whose G or D loss was NaN or infinite, or −1; lives on the backend. */
  private readonly firstNonFiniteStep: tf.Variable;

  constructor(options: GanTrainerOptions) {
    this.generator = options.generator;
    this.discriminator = options.discriminator;
    this.config = options.config;
    this.realBatch = options.realBatch;
    this.cost = options.cost ?? getCost(this.config.cost, this.config.costOptions);
    this.generatorAdam = new Adam(this.generator.variables, this.config.generatorAdam);
    this.discriminatorAdam = new Adam(this.discriminator.variables, this.config.discriminatorAdam);
    this.firstNonFiniteStep = tf.tidy(() => tf.variable(tf.scalar(-1), false));
  }

  /** G's input noise for a step and a label, drawn from the run seed. */
  noise(batchSize: number, seed: number): tf.Tensor2D {
    return tf.randomNormal([batchSize, this.config.noiseDimension], 0, 1, 'float32', seed) as tf.Tensor2D;
  }

  /**
   * Computes D's cost and gradient on a real batch and generated samples (constants here:
   * no gradient reaches G).
   */
  discriminatorGradients(real: tf.Tensor, fake: tf.Tensor): Gradients {
    const { gradientPenalty, costOptions } = this.config;
    const variables = this.discriminator.variables;
    const { value, grads } = tf.variableGrads(() => {
      const realLogits = this.discriminator.apply(real, { training: true });
      const fakeLogits = this.discriminator.apply(fake, { training: true });
      const adversarial = this.cost.discriminator(realLogits, fakeLogits);
      if (gradientPenalty === 0) return adversarial;
      const penalty = realGradientPenalty(this.discriminator, real, gradientPenalty, costOptions.reduction);
      return tf.add(adversarial, penalty) as tf.Scalar;
    }, variables);
    return { loss: value, gradients: variables.map((variable) => grads[variable.name]) };
  }

  /** Computes G's cost and its gradient, after the cost's own rescaling if it has one. */
  generatorGradients(noise: tf.Tensor, cost: GanCost = this.cost): Gradients {
    const variables = this.generator.variables;
    const { value, grads } = tf.variableGrads(() => {
      const fake = this.generator.apply(noise, { training: true });
      return cost.generator(this.discriminator.apply(fake, { training: true }));
    }, variables);
    let gradients: (tf.Tensor | undefined)[] = variables.map((variable) => grads[variable.name]);
    if (cost.transformGeneratorGradients) {
      // A variable that D's output does not reach contributes a zero to the norm.
      const complete = gradients.map((g, i) => g ?? tf.zerosLike(variables[i]));
      gradients = cost.transformGeneratorGradients(complete);
    }
    return { loss: value, gradients };
  }

  /**
   * Runs training step `step` (counted from 1). With `measure`, also returns diagnostics
   * of this step as tensors, computed before the update on the step's own batch. The caller
   * reads them with `readMeasurement`, which disposes them.
   */
  step(step: number, measure = false): StepMeasurement | undefined {
    const { resetGeneratorAdamEvery } = this.config;
    const result = tf.tidy(
      () =>
        (this.config.schedule === 'simultaneous'
          ? this.simultaneousStep(step, measure)
          : this.alternatingStep(step, measure)) as unknown as tf.TensorContainer,
    ) as unknown as StepMeasurement | undefined;
    if (resetGeneratorAdamEvery > 0 && step % resetGeneratorAdamEvery === 0) this.generatorAdam.reset();
    return result;
  }

  /** Both gradients at the same parameters and on the same batch, then both updates. */
  private simultaneousStep(step: number, measure: boolean): StepMeasurement | undefined {
    const { batchSize, seed } = this.config;
    const noise = this.noise(batchSize, deriveSeed(seed, 'noise', step));
    const real = this.realBatch(batchSize, deriveSeed(seed, 'real', step));
    const discriminator = this.discriminatorGradients(real, this.generator.apply(noise, { training: true }));
    const generator = this.generatorGradients(noise);
    const measurement = measure ? measureStep(this, { real, noise, generator, discriminator }) : undefined;

    const updateD = this.discriminatorAdam.apply(discriminator.gradients, measure);
    const updateG = this.generatorAdam.apply(generator.gradients, measure);
    this.recordNonFinite(step, generator.loss, discriminator.loss);
    return withUpdates(measurement, updateG, updateD);
  }

  /**
   * `discriminatorSteps` D updates, each on its own batch, then G's gradient against the
   * updated D. Diagnostics describe the last D update and the G update.
   */
  private alternatingStep(step: number, measure: boolean): StepMeasurement | undefined {
    const { batchSize, seed, discriminatorSteps } = this.config;
    const discriminatorUpdate = (k: number, measureUpdate: boolean) => {
      const real = this.realBatch(batchSize, deriveSeed(seed, 'real', step, k));
      const noise = this.noise(batchSize, deriveSeed(seed, 'noise', step, 'd', k));
      const gradients = this.discriminatorGradients(real, this.generator.apply(noise, { training: true }));
      const update = this.discriminatorAdam.apply(gradients.gradients, measureUpdate);
      return { real, gradients, update };
    };
    for (let k = 0; k < discriminatorSteps - 1; k++) tf.tidy(() => void discriminatorUpdate(k, false));
    const last = discriminatorUpdate(discriminatorSteps - 1, measure);

    const noise = this.noise(batchSize, deriveSeed(seed, 'noise', step));
    const generator = this.generatorGradients(noise);
    const measurement = measure
      ? measureStep(this, { real: last.real, noise, generator, discriminator: last.gradients })
      : undefined;
    const updateG = this.generatorAdam.apply(generator.gradients, measure);
    this.recordNonFinite(step, generator.loss, last.gradients.loss);
    return withUpdates(measurement, updateG, last.update);
  }

  private recordNonFinite(step: number, generatorLoss: tf.Scalar, discriminatorLoss: tf.Scalar): void {
    const finite = tf.logicalAnd(tf.isFinite(generatorLoss), tf.isFinite(discriminatorLoss));
    const first = tf.logicalAnd(tf.logicalNot(finite), tf.less(this.firstNonFiniteStep, 0));
    this.firstNonFiniteStep.assign(tf.where(first, tf.scalar(step), this.firstNonFiniteStep as tf.Tensor));
  }

  /** Returns the first step with a NaN or infinite loss, or null; reads from the backend. */
  async divergedAt(): Promise<number | null> {
    const value = (await this.firstNonFiniteStep.data())[0];
    return value < 0 ? null : value;
  }

  async exportState(): Promise<TrainerState> {
    const read = (variables: tf.Variable[]) =>
      Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));
    return {
      generator: await read(this.generator.variables),
      discriminator: await read(this.discriminator.variables),
      generatorState: await read(this.generator.state),
      discriminatorState: await read(this.discriminator.state),
      generatorAdam: await this.generatorAdam.exportState(),
      discriminatorAdam: await this.discriminatorAdam.exportState(),
    };
  }

  loadState(state: TrainerState): void {
    assignAll('generator', this.generator.variables, state.generator);
    assignAll('discriminator', this.discriminator.variables, state.discriminator);
    assignAll('generator state', this.generator.state, state.generatorState);
    assignAll('discriminator state', this.discriminator.state, state.discriminatorState);
    this.generatorAdam.loadState(state.generatorAdam);
    this.discriminatorAdam.loadState(state.discriminatorAdam);
  }

  /** Releases the optimizers' tensors; the networks belong to the caller. */
  dispose(): void {
    this.generatorAdam.dispose();
    this.discriminatorAdam.dispose();
    this.firstNonFiniteStep.dispose();
  }
}

function withUpdates(
  measurement: StepMeasurement | undefined,
  generatorUpdates: (tf.Tensor | undefined)[] | undefined,
  discriminatorUpdates: (tf.Tensor | undefined)[] | undefined,
): StepMeasurement | undefined {
  if (measurement === undefined) return undefined;
  measurement.generatorUpdates = generatorUpdates ?? [];
  measurement.discriminatorUpdates = discriminatorUpdates ?? [];
  return measurement;
}

function assignAll(label: string, variables: tf.Variable[], values: Float32Array[]): void {
  if (variables.length !== values.length) {
    throw new RangeError(
      `GanTrainer.loadState: expected ${variables.length} ${label} tensors, received ${values.length}`,
    );
  }
  tf.tidy(() => {
    variables.forEach((variable, i) => {
      if (values[i].length !== variable.size) {
        throw new RangeError(
          `GanTrainer.loadState: expected ${variable.size} values for ${variable.name}, received ${values[i].length}`,
        );
      }
      variable.assign(tf.tensor(values[i], variable.shape, variable.dtype));
    });
  });
}
