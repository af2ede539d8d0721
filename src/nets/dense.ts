/**
 * Fully connected networks as plain tfjs variables: the toy-mixture G and D (two hidden
 * layers of 128 ReLU units in the authors' TensorFlow code, awweide/mm-nsat, for "Sample
 * weighting as an explanation for mode collapse in generative adversarial networks") and
 * the FC-n networks on MNIST.
 *
 * Each layer is one fused matMul + bias + activation, which the wasm and tensorflow
 * backends run as a single kernel. Weights start from a seed so that a run can be repeated
 * on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Network } from './network.ts';

/** Activation between layers. LeakyReLU uses slope 0.2 for negative inputs. */
export type HiddenActivation = 'relu' | 'leakyrelu';

/** Activation of the last layer: tanh for a G whose data lie in [−1, 1], none for logits. */
export type OutputActivation = 'tanh' | 'none';

/**
 * Weight initialisation. glorot: uniform on ±√(6/(fan_in + fan_out)), the default of
 * TensorFlow's dense layers, which the authors' code uses. he: normal with standard
 * deviation √(2/fan_in). Biases start at 0.
 */
export type DenseInitializer = 'glorot' | 'he';

export const LEAKY_RELU_SLOPE = 0.2;

export interface DenseNetworkOptions {
  /** Prefix of the variable names, e.g. "G" gives "G/dense0/kernel". */
  name: string;
  /** Widths from input to output, e.g. [128, 128, 128, 2]: three dense layers. */
  widths: number[];
  hiddenActivation?: HiddenActivation;
  outputActivation?: OutputActivation;
  initializer?: DenseInitializer;
  /** Seed of the initial weights; layer i draws with a seed derived from it. */
  seed: number;
}

export interface DenseNetwork extends Network {
  /** Prefix the variables got: `options.name`, or `options.name` with a suffix if taken. */
  name: string;
  widths: number[];
  hiddenActivation: HiddenActivation;
  outputActivation: OutputActivation;
}

/** Derives layer i's seed from the network's seed (a 32-bit integer hash). */
function layerSeed(seed: number, layer: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(layer + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Picks a name prefix whose variable names no other live network has registered. */
function uniquePrefix(name: string): string {
  const registered = tf.engine().registeredVariables;
  const taken = (prefix: string) => `${prefix}/dense0/kernel` in registered;
  if (!taken(name)) return name;
  let suffix = 1;
  while (taken(`${name}_${suffix}`)) suffix++;
  return `${name}_${suffix}`;
}

function initialKernel(
  initializer: DenseInitializer,
  fanIn: number,
  fanOut: number,
  seed: number,
): tf.Tensor2D {
  if (initializer === 'glorot') {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', seed) as tf.Tensor2D;
  }
  return tf.randomNormal([fanIn, fanOut], 0, Math.sqrt(2 / fanIn), 'float32', seed) as tf.Tensor2D;
}

function validate(options: DenseNetworkOptions): void {
  const { widths, name, seed } = options;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`denseNetwork: name must be a non-empty string, received ${String(name)}`);
  }
  if (!Array.isArray(widths) || widths.length < 2) {
    throw new RangeError(
      `denseNetwork: widths must list at least an input and an output width, received ${JSON.stringify(widths)}`,
    );
  }
  widths.forEach((width, i) => {
    if (!Number.isInteger(width) || width <= 0) {
      throw new RangeError(`denseNetwork: widths[${i}] must be a positive integer, received ${width}`);
    }
  });
  if (!Number.isInteger(seed)) {
    throw new TypeError(`denseNetwork: seed must be an integer, received ${String(seed)}`);
  }
  const hidden = options.hiddenActivation ?? 'relu';
  if (hidden !== 'relu' && hidden !== 'leakyrelu') {
    throw new RangeError(`denseNetwork: hiddenActivation must be relu or leakyrelu, received ${String(hidden)}`);
  }
  const output = options.outputActivation ?? 'none';
  if (output !== 'tanh' && output !== 'none') {
    throw new RangeError(`denseNetwork: outputActivation must be tanh or none, received ${String(output)}`);
  }
  const initializer = options.initializer ?? 'glorot';
  if (initializer !== 'glorot' && initializer !== 'he') {
    throw new RangeError(`denseNetwork: initializer must be glorot or he, received ${String(initializer)}`);
  }
}

/**
 * Builds a dense network: `widths.length − 1` layers, the hidden activation after every
 * layer but the last, and the output activation after the last. Variables are named
 * `<name>/dense<i>/kernel` and `<name>/dense<i>/bias`, in layer order.
 */
export function denseNetwork(options: DenseNetworkOptions): DenseNetwork {
  validate(options);
  const widths = [...options.widths];
  const hiddenActivation = options.hiddenActivation ?? 'relu';
  const outputActivation = options.outputActivation ?? 'none';
  const initializer = options.initializer ?? 'glorot';
  const name = uniquePrefix(options.name);

  const kernels: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  for (let layer = 0; layer < widths.length - 1; layer++) {
    const [fanIn, fanOut] = [widths[layer], widths[layer + 1]];
    const seed = layerSeed(options.seed, layer);
    // tf.variable keeps its own reference to the data, so the initial tensors are disposed.
    const kernel = tf.tidy(() => initialKernel(initializer, fanIn, fanOut, seed));
    kernels.push(tf.variable(kernel, true, `${name}/dense${layer}/kernel`));
    kernel.dispose();
    const bias = tf.zeros([fanOut]);
    biases.push(tf.variable(bias, true, `${name}/dense${layer}/bias`));
    bias.dispose();
  }
  const variables = kernels.flatMap((kernel, layer) => [kernel, biases[layer]]);

  const apply = (input: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      if (input.rank !== 2 || input.shape[1] !== widths[0]) {
        throw new RangeError(
          `${name}: input must have shape [batch, ${widths[0]}], received [${input.shape.join(', ')}]`,
        );
      }
      let x: tf.Tensor = input;
      const last = kernels.length - 1;
      for (let layer = 0; layer <= last; layer++) {
        x = tf.fused.matMul({
          a: x as tf.Tensor2D,
          b: kernels[layer] as tf.Tensor2D,
          bias: biases[layer],
          activation: layer < last ? hiddenActivation : 'linear',
          leakyreluAlpha: LEAKY_RELU_SLOPE,
        });
      }
      return outputActivation === 'tanh' ? tf.tanh(x) : x;
    });

  return {
    name,
    widths,
    hiddenActivation,
    outputActivation,
    variables,
    state: [],
    apply,
    dispose: () => variables.forEach((variable) => variable.dispose()),
  };
}
