/**
 * Adam for one player's variables, in the form of Algorithm 1 of Kingma and Ba ("Adam: a
 * method for stochastic optimization", 2015), which is equation (8) of "Sample weighting as
 * an explanation for mode collapse in generative adversarial networks":
 *
 *   m_t = β1·m_{t−1} + (1 − β1)·g_t,   m̂_t = m_t/(1 − β1^t)
 *   v_t = β2·v_{t−1} + (1 − β2)·g_t²,  v̂_t = v_t/(1 − β2^t)
 *   θ_t = θ_{t−1} − α·m̂_t/(√v̂_t + ε)
 *
 * Written here rather than taken from tfjs because tfjs's AdamOptimizer keeps its moments in
 * slots indexed by a variable's position in the gradient map and one β-power counter per
 * optimizer: a variable that gets no gradient in a step shifts every later slot, and an
 * optimizer shared by G and D hands D's moments to G. Here every variable owns its m, v and
 * step count t, and ε defaults to the paper code's 1e-8 (tfjs takes 1e-7 from the backend).
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  /** Learning rate α. */
  learningRate: number;
  beta1: number;
  beta2: number;
  /** ε, added to √v̂ outside the square root. */
  epsilon: number;
}

/** The paper code's settings for both players: α 1e-4, β1 0.5, β2 0.999, ε 1e-8. */
export const PAPER_ADAM: Readonly<AdamOptions> = Object.freeze({
  learningRate: 1e-4,
  beta1: 0.5,
  beta2: 0.999,
  epsilon: 1e-8,
});

/** Adam's state as plain arrays, in the order of the optimizer's variables. */
export interface AdamState {
  /** Steps taken by each variable (t in the bias corrections). */
  steps: number[];
  m: Float32Array[];
  v: Float32Array[];
}

/** Checks the hyper-parameters and names the field and value that is out of range. */
export function validateAdamOptions(options: AdamOptions, field = 'adam'): void {
  const { learningRate, beta1, beta2, epsilon } = options;
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0) {
    throw new RangeError(`${field}.learningRate must be a finite number ≥ 0, received ${String(learningRate)}`);
  }
  for (const [name, beta] of [['beta1', beta1], ['beta2', beta2]] as const) {
    if (typeof beta !== 'number' || !(beta >= 0 && beta < 1)) {
      throw new RangeError(`${field}.${name} must be in [0, 1), received ${String(beta)}`);
    }
  }
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon < 0) {
    throw new RangeError(`${field}.epsilon must be a finite number ≥ 0, received ${String(epsilon)}`);
  }
}

export class Adam {
  readonly variables: readonly tf.Variable[];
  readonly options: Readonly<AdamOptions>;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private readonly steps: number[];

  constructor(variables: tf.Variable[], options: Partial<AdamOptions> = {}) {
    this.options = Object.freeze({ ...PAPER_ADAM, ...options });
    validateAdamOptions(this.options);
    this.variables = [...variables];
    // A variable keeps its own reference to the data, so tidy may release the zeros.
    this.m = tf.tidy(() => variables.map((variable) => tf.variable(tf.zerosLike(variable), false)));
    this.v = tf.tidy(() => variables.map((variable) => tf.variable(tf.zerosLike(variable), false)));
    this.steps = variables.map(() => 0);
  }

  /**
   * Takes one step, with `gradients[i]` for `variables[i]`. A missing gradient leaves that
   * variable, its moments and its t untouched. With `keepUpdates`, returns each variable's
   * update Δθ_i (undefined where no gradient was given); the caller disposes them.
   */
  apply(gradients: readonly (tf.Tensor | null | undefined)[], keepUpdates = false): (tf.Tensor | undefined)[] | undefined {
    if (gradients.length !== this.variables.length) {
      throw new RangeError(
        `Adam.apply: expected ${this.variables.length} gradients, one per variable, received ${gradients.length}`,
      );
    }
    const { learningRate, beta1, beta2, epsilon } = this.options;
    const updates: (tf.Tensor | undefined)[] = gradients.map(() => undefined);
    tf.tidy(() => {
      gradients.forEach((gradient, i) => {
        if (gradient == null) return;
        const t = ++this.steps[i];
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(gradient, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(gradient), 1 - beta2));
        // Bias corrections in float64 on the host; only the scaled tensors are float32.
        const stepScale = learningRate / (1 - beta1 ** t);
        const secondMomentScale = 1 / (1 - beta2 ** t);
        const update = tf.div(tf.mul(m, stepScale), tf.add(tf.sqrt(tf.mul(v, secondMomentScale)), epsilon));
        this.m[i].assign(m);
        this.v[i].assign(v);
        this.variables[i].assign(tf.sub(this.variables[i], update));
        if (keepUpdates) updates[i] = tf.keep(update);
      });
    });
    return keepUpdates ? updates : undefined;
  }

  /** Sets every m and v to zero and every t to 0, as after construction. */
  reset(): void {
    tf.tidy(() => {
      for (let i = 0; i < this.variables.length; i++) {
        this.m[i].assign(tf.zerosLike(this.m[i]));
        this.v[i].assign(tf.zerosLike(this.v[i]));
        this.steps[i] = 0;
      }
    });
  }

  /** Reads the moments back from the backend, for a checkpoint. */
  async exportState(): Promise<AdamState> {
    const read = (tensors: tf.Variable[]) => Promise.all(tensors.map(async (x) => (await x.data()) as Float32Array));
    return { steps: [...this.steps], m: await read(this.m), v: await read(this.v) };
  }

  /** Restores a state written by `exportState`; the shapes must match the variables. */
  loadState(state: AdamState): void {
    const count = this.variables.length;
    if (state.steps.length !== count || state.m.length !== count || state.v.length !== count) {
      throw new RangeError(
        `Adam.loadState: expected a state for ${count} variables, received one for ${state.steps.length}`,
      );
    }
    for (let i = 0; i < count; i++) {
      const size = this.variables[i].size;
      if (state.m[i].length !== size || state.v[i].length !== size) {
        throw new RangeError(
          `Adam.loadState: moments of ${this.variables[i].name} have ${state.m[i].length} and ` +
            `${state.v[i].length} values, the variable ${size}`,
        );
      }
    }
    tf.tidy(() => {
      for (let i = 0; i < count; i++) {
        this.m[i].assign(tf.tensor(state.m[i], this.variables[i].shape));
        this.v[i].assign(tf.tensor(state.v[i], this.variables[i].shape));
        this.steps[i] = state.steps[i];
      }
    });
  }

  /** Steps taken by each variable. */
  stepCounts(): number[] {
    return [...this.steps];
  }

  dispose(): void {
    for (const tensor of [...this.m, ...this.v]) tensor.dispose();
  }
}
