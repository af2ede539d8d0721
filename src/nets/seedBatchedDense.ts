/**
 * Dense networks of S seeds as one network with a leading seed axis: layer i has a kernel
 * [S, in, out] and a bias [S, 1, out], inputs are [S, N, ...] and outputs [S, N, out].
 * Seed s's slice of every variable contains the weights of a plain `denseNetwork` built with
 * seed s, because the batched variables are stacked from such networks. The seeds' initial
 * weights therefore come from the same per-layer seeds as separate runs, never from a new
 * random stream.
 */
import * as tf from '@tensorflow/tfjs';
import { denseNetwork, type DenseNetwork, type DenseNetworkOptions, type HiddenActivation, type OutputActivation } from './dense.ts';
import { uniquePrefix } from './conv.ts';
import type { Network } from './network.ts';
import { seedDense } from './seedMatMul.ts';

/** Widths and activations of a dense network, all that the seed axis needs. */
export interface DenseLayout {
  widths: number[];
  hiddenActivation: HiddenActivation;
  outputActivation: OutputActivation;
}

export interface SeedBatchedDenseNetwork extends DenseLayout {
  name: string;
  /** S, the size of the seed axis. */
  seedCount: number;
  /** kernel0 [S, in, out], bias0 [S, 1, out], kernel1, …: a plain network's order. */
  variables: tf.Variable[];
  /** Maps [S, N, ...] (trailing axes flattened to `widths[0]`) to [S, N, widths.at(-1)]. */
  apply(input: tf.Tensor): tf.Tensor3D;
  dispose(): void;
}

/** Leaky ReLU's slope, the same as dense.ts's LEAKY_RELU_SLOPE. */
const LEAKY_RELU_SLOPE = 0.2;

/**
 * Returns the layout of a network that is a plain dense stack, or undefined for anything
 * else (convolutions, batch norm, variables that do not match the widths). Plain stacks are
 * `denseNetwork`s and FC-n networks without batch norm, which only reshape their input or
 * output.
 */
export function denseLayout(network: Network): DenseLayout | undefined {
  const candidate = network as Partial<DenseNetwork>;
  const { widths, hiddenActivation, outputActivation } = candidate;
  if (!Array.isArray(widths) || hiddenActivation === undefined || outputActivation === undefined) return undefined;
  if (network.state.length > 0 || network.variables.length !== 2 * (widths.length - 1)) return undefined;
  for (let layer = 0; layer < widths.length - 1; layer++) {
    const kernel = network.variables[2 * layer].shape;
    const bias = network.variables[2 * layer + 1].shape;
    if (kernel.length !== 2 || kernel[0] !== widths[layer] || kernel[1] !== widths[layer + 1]) return undefined;
    if (bias.length !== 1 || bias[0] !== widths[layer + 1]) return undefined;
  }
  return { widths: [...widths], hiddenActivation, outputActivation };
}

function sameLayout(a: DenseLayout, b: DenseLayout): boolean {
  return (
    a.hiddenActivation === b.hiddenActivation &&
    a.outputActivation === b.outputActivation &&
    a.widths.length === b.widths.length &&
    a.widths.every((width, i) => width === b.widths[i])
  );
}

/**
 * Stacks the current weights of S dense networks of one layout into a seed-batched
 * network; network s becomes seed s. The networks are left as they are (the caller still
 * owns them). Throws when a network is not a dense stack or the layouts differ.
 */
export function stackDenseNetworks(name: string, networks: Network[]): SeedBatchedDenseNetwork {
  if (!Array.isArray(networks) || networks.length === 0) {
    throw new RangeError(`stackDenseNetworks: networks must list at least one network, received ${String(networks)}`);
  }
  const layouts = networks.map((network, s) => {
    const layout = denseLayout(network);
    if (layout === undefined) {
      throw new TypeError(`stackDenseNetworks: networks[${s}] is not a dense network without batch norm`);
    }
    return layout;
  });
  const layout = layouts[0];
  layouts.forEach((other, s) => {
    if (!sameLayout(layout, other)) {
      throw new RangeError(
        `stackDenseNetworks: networks[${s}] has widths [${other.widths}] and activations ${other.hiddenActivation}/` +
          `${other.outputActivation}, networks[0] [${layout.widths}] and ${layout.hiddenActivation}/${layout.outputActivation}`,
      );
    }
  });

  const seedCount = networks.length;
  const prefix = uniquePrefix(name);
  const variables = networks[0].variables.map((_, i) => {
    const stacked = tf.tidy(() => {
      const values = tf.stack(networks.map((network) => network.variables[i]));
      // Biases [out] become [S, 1, out] so that they broadcast over the batch axis.
      return i % 2 === 1 ? tf.expandDims(values, 1) : values;
    });
    const variable = tf.variable(stacked, true, `${prefix}/dense${i >> 1}/${i % 2 === 0 ? 'kernel' : 'bias'}`);
    stacked.dispose();
    return variable;
  });
  return seedBatchedNetwork(prefix, layout, seedCount, variables);
}

/**
 * Builds the dense networks of `options` for each seed in `seeds` and stacks them; seed
 * index s starts with the weights of `denseNetwork({ ...options, seed: seeds[s] })`.
 */
export function seedBatchedDenseNetwork(
  options: Omit<DenseNetworkOptions, 'seed'>,
  seeds: number[],
): SeedBatchedDenseNetwork {
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new RangeError(`seedBatchedDenseNetwork: seeds must list at least one seed, received ${JSON.stringify(seeds)}`);
  }
  const plain = seeds.map((seed) => denseNetwork({ ...options, name: `${options.name}/seed`, seed }));
  try {
    return stackDenseNetworks(options.name, plain);
  } finally {
    plain.forEach((network) => network.dispose());
  }
}

function seedBatchedNetwork(
  name: string,
  layout: DenseLayout,
  seedCount: number,
  variables: tf.Variable[],
): SeedBatchedDenseNetwork {
  const { widths, hiddenActivation, outputActivation } = layout;
  const last = widths.length - 2;
  const apply = (input: tf.Tensor): tf.Tensor3D =>
    tf.tidy(() => {
      const [seeds, batch] = input.shape;
      if (input.rank < 3 || seeds !== seedCount || input.size !== seedCount * (batch ?? 0) * widths[0]) {
        throw new RangeError(
          `${name}: input must have shape [${seedCount}, batch, ${widths[0]}] (or trailing axes of that size), ` +
            `received [${input.shape.join(', ')}]`,
        );
      }
      let x = (input.rank === 3 ? input : tf.reshape(input, [seedCount, batch!, widths[0]])) as tf.Tensor3D;
      for (let layer = 0; layer <= last; layer++) {
        const activation = layer < last ? hiddenActivation : 'linear';
        x = seedDense(x, variables[2 * layer] as tf.Tensor3D, variables[2 * layer + 1] as tf.Tensor3D, activation, LEAKY_RELU_SLOPE);
      }
      return outputActivation === 'tanh' ? tf.tanh(x) : x;
    });
  return {
    name,
    widths: [...widths],
    hiddenActivation,
    outputActivation,
    seedCount,
    variables,
    apply,
    dispose: () => variables.forEach((variable) => variable.dispose()),
  };
}

/**
 * Copies seed s's slice of every batched variable into a plain network of the same
 * layout, e.g. to evaluate one seed with code written for a single network.
 */
export function copySeedWeights(batched: SeedBatchedDenseNetwork, seedIndex: number, target: Network): void {
  if (!Number.isInteger(seedIndex) || seedIndex < 0 || seedIndex >= batched.seedCount) {
    throw new RangeError(`copySeedWeights: seedIndex must be an integer in [0, ${batched.seedCount}), received ${seedIndex}`);
  }
  const layout = denseLayout(target);
  if (layout === undefined || !sameLayout(layout, batched)) {
    throw new TypeError(`copySeedWeights: the target is not a dense network of widths [${batched.widths}]`);
  }
  // The copy goes through the host: a reshaped slice would keep the backend shape of the
  // slice, and the wasm _FusedMatMul kernel rejects a bias whose backend shape is not rank 1.
  tf.tidy(() => {
    batched.variables.forEach((variable, i) => {
      const values = variable.dataSync() as Float32Array;
      const size = values.length / batched.seedCount;
      const own = values.subarray(seedIndex * size, (seedIndex + 1) * size);
      target.variables[i].assign(tf.tensor(own, target.variables[i].shape, 'float32'));
    });
  });
}
