/**
 * A batch of discriminator logits D_l, one per sample: the input of every cost. The checks
 * run on shapes only, never on values, so they cost no read-back from the device.
 */
import * as tf from '@tensorflow/tfjs';
import type { Reduction } from './types.ts';

function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Throws unless `logits` is a float32 tensor of shape [N] or [N, 1] with N ≥ 1. An empty
 * batch has no mean, and a wider shape usually means that images or probabilities were
 * passed where D's logits belong.
 */
export function assertLogitBatch(fn: string, name: string, logits: unknown): asserts logits is tf.Tensor {
  if (!(logits instanceof tf.Tensor)) {
    throw new TypeError(`${fn}: ${name} must be a tf.Tensor of logits, received ${describe(logits)}`);
  }
  if (logits.dtype !== 'float32') {
    throw new TypeError(`${fn}: ${name} must have dtype float32, received ${describe(logits)}`);
  }
  const shape = logits.shape;
  const onePerSample = shape.length === 1 || (shape.length === 2 && shape[1] === 1);
  if (!onePerSample) {
    throw new RangeError(
      `${fn}: ${name} must have shape [N] or [N, 1] (one logit per sample), received ${describe(logits)}`,
    );
  }
  if (logits.size === 0) {
    throw new RangeError(`${fn}: ${name} must hold at least one logit, received ${describe(logits)}`);
  }
}

/** Returns the logits as a rank-1 tensor [N]. */
export function flattenLogits(logits: tf.Tensor): tf.Tensor1D {
  return tf.reshape(logits, [-1]);
}

/** Reduces per-sample costs [N] to the batch cost: their mean or their sum. */
export function reduceBatch(perSample: tf.Tensor, reduction: Reduction): tf.Scalar {
  return reduction === 'sum' ? tf.sum(perSample) : tf.mean(perSample);
}
