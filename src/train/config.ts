/**
 * The settings of one GAN training run, their defaults (the authors' code, awweide/mm-nsat,
 * for "Sample weighting as an explanation for mode collapse in generative adversarial
 * networks") and their validation. Validation runs before any training starts and names the
 * field and the value it rejects.
 */
import { parseCostName } from '../theory/costNames.ts';
import type { CostOptions } from '../costs/types.ts';
import { PAPER_ADAM, validateAdamOptions, type AdamOptions } from './adam.ts';

/**
 * simultaneous: both players' gradients come from the same batch at the same parameters,
 * then both update (the authors' code). alternating: `discriminatorSteps` D updates, each
 * on a fresh batch, then one G update.
 */
export type UpdateSchedule = 'simultaneous' | 'alternating';

export interface TrainConfig {
  /** Generator cost name, e.g. "ns", "mm-nsat", "ns+mm(0.5)". */
  cost: string;
  costOptions: CostOptions;
  /** Training steps; a step is one G update (and its D updates). */
  steps: number;
  batchSize: number;
  /** Dimension of G's input noise z ~ N(0, I). */
  noiseDimension: number;
  /** Seed of the initial weights and of every batch. */
  seed: number;
  generatorAdam: AdamOptions;
  discriminatorAdam: AdamOptions;
  schedule: UpdateSchedule;
  /** D updates per G update under the alternating schedule. */
  discriminatorSteps: number;
  /** λ of the zero-centred real-data gradient penalty (λ/2)·‖∇ₓD_l(x)‖²; 0 turns it off. */
  gradientPenalty: number;
  /** Resets G's Adam moments and step counts every this many steps; 0 never does. */
  resetGeneratorAdamEvery: number;
  /** Diagnostics (gradient and update norms, D outputs) every this many steps. */
  logEvery: number;
  /** Evaluation metrics of the setup (e.g. modes covered) every this many steps; 0: never. */
  evaluateEvery: number;
  /** Checkpoint every this many steps; one is always written at the end and when stopped. */
  checkpointEvery: number;
  /** Steps after which generated samples are stored. */
  sampleSteps: number[];
}

/** A config as written by hand: the cost and the step count, anything else defaults. */
export type TrainConfigInput = Partial<Omit<TrainConfig, 'generatorAdam' | 'discriminatorAdam'>> & {
  cost: string;
  steps: number;
  generatorAdam?: Partial<AdamOptions>;
  discriminatorAdam?: Partial<AdamOptions>;
};

/** G's β2 for "MM-β2": MM with a shorter second-moment memory for G only (D keeps 0.999). */
export const MM_BETA2_GENERATOR_BETA2 = 0.99;

export const TRAIN_DEFAULTS = {
  costOptions: {},
  batchSize: 128,
  noiseDimension: 128,
  seed: 0,
  schedule: 'simultaneous',
  discriminatorSteps: 1,
  gradientPenalty: 0,
  resetGeneratorAdamEvery: 0,
  logEvery: 100,
  evaluateEvery: 0,
  checkpointEvery: 1000,
  sampleSteps: [],
} as const satisfies Partial<TrainConfig>;

function fail(kind: 'range' | 'type', field: string, expected: string, value: unknown): never {
  const shown = typeof value === 'string' ? `"${value}"` : Array.isArray(value) ? JSON.stringify(value) : String(value);
  const message = `config.${field} must be ${expected}, received ${shown}`;
  throw kind === 'range' ? new RangeError(message) : new TypeError(message);
}

function checkInteger(field: string, value: unknown, minimum: number): void {
  if (typeof value !== 'number') fail('type', field, `an integer ≥ ${minimum}`, value);
  if (!Number.isInteger(value) || value < minimum) fail('range', field, `an integer ≥ ${minimum}`, value);
}

/** Fills in the defaults and validates every field; throws naming the first bad field. */
export function resolveTrainConfig(input: TrainConfigInput): TrainConfig {
  if (typeof input !== 'object' || input === null) fail('type', '', 'an object', input);
  const config: TrainConfig = {
    ...TRAIN_DEFAULTS,
    ...input,
    costOptions: { ...(input.costOptions ?? {}) },
    sampleSteps: [...(input.sampleSteps ?? [])],
    generatorAdam: { ...PAPER_ADAM, ...(input.generatorAdam ?? {}) },
    discriminatorAdam: { ...PAPER_ADAM, ...(input.discriminatorAdam ?? {}) },
  };
  validateTrainConfig(config);
  return config;
}

/** Validates a complete config; throws a RangeError or TypeError naming the field and value. */
export function validateTrainConfig(config: TrainConfig): void {
  if (typeof config.cost !== 'string') fail('type', 'cost', 'a cost name', config.cost);
  try {
    parseCostName(config.cost);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^cost: /, '') : String(error);
    throw new RangeError(`config.cost is invalid: ${reason}`);
  }
  checkInteger('steps', config.steps, 1);
  checkInteger('batchSize', config.batchSize, 1);
  checkInteger('noiseDimension', config.noiseDimension, 1);
  if (!Number.isSafeInteger(config.seed)) fail('type', 'seed', 'a safe integer', config.seed);
  validateAdamOptions(config.generatorAdam, 'config.generatorAdam');
  validateAdamOptions(config.discriminatorAdam, 'config.discriminatorAdam');
  if (config.schedule !== 'simultaneous' && config.schedule !== 'alternating') {
    fail('range', 'schedule', '"simultaneous" or "alternating"', config.schedule);
  }
  checkInteger('discriminatorSteps', config.discriminatorSteps, 1);
  if (typeof config.gradientPenalty !== 'number' || !Number.isFinite(config.gradientPenalty) || config.gradientPenalty < 0) {
    fail('range', 'gradientPenalty', 'a finite number ≥ 0', config.gradientPenalty);
  }
  checkInteger('resetGeneratorAdamEvery', config.resetGeneratorAdamEvery, 0);
  checkInteger('logEvery', config.logEvery, 1);
  checkInteger('evaluateEvery', config.evaluateEvery, 0);
  checkInteger('checkpointEvery', config.checkpointEvery, 1);
  if (!Array.isArray(config.sampleSteps)) fail('type', 'sampleSteps', 'an array of steps', config.sampleSteps);
  config.sampleSteps.forEach((step, i) => checkInteger(`sampleSteps[${i}]`, step, 1));
  const reduction = config.costOptions.reduction;
  if (reduction !== undefined && reduction !== 'mean' && reduction !== 'sum') {
    fail('range', 'costOptions.reduction', '"mean" or "sum"', reduction);
  }
}
