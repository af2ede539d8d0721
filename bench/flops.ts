/**
 * Multiply-add work of one GAN step, counted as the PyTorch baseline counts it, so that
 * both sides' throughput (GFLOP/s) and the step-time floor at a given matMul ceiling use
 * the same numerator. Only matrix products and convolutions count (2 FLOPs per
 * multiply-add); elementwise kernels and Adam are left out.
 */

/** A layer's forward work: dense, a convolution counted on its output grid, or a transposed one counted on its input grid. */
export type FlopLayer =
  | { kind: 'dense'; inputs: number; outputs: number }
  | { kind: 'conv' | 'convT'; height: number; width: number; kernel: number; inChannels: number; outChannels: number };

/** Returns the forward FLOPs of one layer for one sample. */
export function layerFlops(layer: FlopLayer): number {
  if (layer.kind === 'dense') return 2 * layer.inputs * layer.outputs;
  return 2 * layer.height * layer.width * layer.kernel * layer.kernel * layer.inChannels * layer.outChannels;
}

/**
 * Returns the FLOPs of one step: a D update and a G update on a batch of `batchSize`.
 * A layer's backward pass costs one forward-sized product for the input gradient and one
 * for the weight gradient, and a network's first layer needs no input gradient.
 *   D update: G forward (B) + D forward on real and fake (2B) + D weight gradients (2B)
 *             + D input gradients except layer 1 (2B)
 *   G update: G forward (B) + D forward (B) + D input gradients (B) + G weight gradients (B)
 *             + G input gradients except layer 1 (B)
 */
export function stepFlops(generator: readonly FlopLayer[], discriminator: readonly FlopLayer[], batchSize: number): number {
  const g = generator.map(layerFlops);
  const d = discriminator.map(layerFlops);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const [gForward, dForward] = [sum(g), sum(d)];
  const discriminatorUpdate = gForward + 2 * dForward + 2 * dForward + 2 * (dForward - d[0]);
  const generatorUpdate = gForward + dForward + dForward + gForward + (gForward - g[0]);
  return batchSize * (discriminatorUpdate + generatorUpdate);
}
