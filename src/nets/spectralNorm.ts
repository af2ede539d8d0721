/**
 * Spectral normalisation (Miyato, Kataoka, Koyama and Yoshida, "Spectral normalization for
 * generative adversarial networks", ICLR 2018): a weight W is used as W/σ(W), where σ(W) is
 * its largest singular value, so the layer's Lipschitz constant is at most 1.
 *
 * A dense kernel [in, out] or a convolution kernel [kh, kw, in, out] is viewed as the matrix
 * W of shape [rows, out] with rows = in or kh·kw·in. σ is estimated by power iteration with
 * a persistent vector u ∈ ℝ^out (Network `state`, so checkpoints keep it):
 *
 *   v ← W u / ‖W u‖,   u ← Wᵀ v / ‖Wᵀ v‖,   σ ≈ vᵀ W u.
 *
 * One iteration runs per training-mode forward pass, as in Miyato et al.'s code and
 * PyTorch's spectral_norm; u converges over training because W changes slowly. Gradients
 * treat u and v as constants and flow through σ = vᵀ W u, so ∂σ/∂W = v uᵀ.
 */
import * as tf from '@tensorflow/tfjs';

/** Added to norms before dividing, so a zero weight gives u = 0 instead of NaN. */
export const SPECTRAL_NORM_EPSILON = 1e-12;

export interface SpectralNorm {
  /** [u], the power-iteration vector of length out; saved, not trained. */
  state: tf.Variable[];
  /**
   * Returns W/σ(W) in W's shape. With `training`, one power iteration first updates u;
   * otherwise the stored u is used unchanged.
   */
  normalize(weight: tf.Tensor, training: boolean): tf.Tensor;
  /** σ(W) as estimated from the stored u (no iteration). */
  estimate(weight: tf.Tensor): number;
}

/** Copies a tensor behind a zero gradient (tfjs has no stop-gradient op), so u and v are constants of differentiation. */
const constantCopy = tf.customGrad((x) => ({
  value: (x as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

function unitVector(x: tf.Tensor1D): tf.Tensor1D {
  return x.div(x.norm().add(SPECTRAL_NORM_EPSILON));
}

/**
 * Creates the spectral normalisation of a weight of shape `weightShape`; `u` starts as a
 * seeded random unit vector named `<name>/u`.
 */
export function spectralNorm(name: string, weightShape: readonly number[], seed: number): SpectralNorm {
  if (weightShape.length < 2 || !weightShape.every((size) => Number.isInteger(size) && size > 0)) {
    throw new RangeError(`spectralNorm: weightShape must have at least two positive sizes, received [${weightShape.join(', ')}]`);
  }
  if (!Number.isInteger(seed)) {
    throw new TypeError(`spectralNorm: seed must be an integer, received ${String(seed)}`);
  }
  const columns = weightShape[weightShape.length - 1];
  const initial = tf.tidy(() => unitVector(tf.randomNormal([columns], 0, 1, 'float32', seed) as tf.Tensor1D));
  const u = tf.variable(initial, false, `${name}/u`);
  initial.dispose();

  const checkShape = (weight: tf.Tensor): void => {
    if (weight.shape.length !== weightShape.length || weight.shape.some((size, i) => size !== weightShape[i])) {
      throw new RangeError(`${name}: weight must have shape [${weightShape.join(', ')}], received [${weight.shape.join(', ')}]`);
    }
  };

  /** Returns σ = vᵀ W u with gradient through W only, after optionally advancing u. */
  const sigma = (weight: tf.Tensor, iterate: boolean): tf.Scalar => {
    const matrix = weight.reshape([-1, columns]) as tf.Tensor2D;
    const fixed = constantCopy(matrix) as tf.Tensor2D;
    const stored = (u as unknown as tf.Tensor1D).reshape([columns, 1]) as tf.Tensor2D;
    const v = unitVector(fixed.matMul(stored).reshape([-1]) as tf.Tensor1D).reshape([1, -1]) as tf.Tensor2D;
    let right = stored;
    if (iterate) {
      right = unitVector(v.matMul(fixed).reshape([columns]) as tf.Tensor1D).reshape([columns, 1]) as tf.Tensor2D;
      u.assign(right.reshape([columns]));
    }
    return v.matMul(matrix).matMul(right).reshape([]) as tf.Scalar;
  };

  return {
    state: [u],
    normalize(weight: tf.Tensor, training: boolean): tf.Tensor {
      checkShape(weight);
      return tf.tidy(() => weight.div(sigma(weight, training)));
    },
    estimate(weight: tf.Tensor): number {
      checkShape(weight);
      return tf.tidy(() => sigma(weight, false)).arraySync() as number;
    },
  };
}
