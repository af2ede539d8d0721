import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/backend.ts';
import { Adam, PAPER_ADAM } from '../src/train/adam.ts';

/** float32 Adam against float64 arithmetic: a few float32 roundings per step. */
const RELATIVE_TOLERANCE = 1e-5;

function assertClose(actual: number, expected: number, label: string, tolerance = RELATIVE_TOLERANCE): void {
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
  assert.ok(error <= tolerance, `${label}: ${actual} vs ${expected} (relative error ${error})`);
}

/** Algorithm 1 of Kingma and Ba in float64, for one scalar parameter starting at 0. */
function referenceAdam(gradients: number[], lr: number, beta1: number, beta2: number, epsilon: number): number[] {
  let m = 0;
  let v = 0;
  let theta = 0;
  return gradients.map((g, i) => {
    const t = i + 1;
    m = beta1 * m + (1 - beta1) * g;
    v = beta2 * v + (1 - beta2) * g * g;
    theta -= (lr * (m / (1 - beta1 ** t))) / (Math.sqrt(v / (1 - beta2 ** t)) + epsilon);
    return theta;
  });
}

function scalarRun(gradients: number[], options: ConstructorParameters<typeof Adam>[1]): number[] {
  const theta = tf.variable(tf.scalar(0));
  const adam = new Adam([theta], options);
  const values = gradients.map((g) => {
    const gradient = tf.scalar(g);
    adam.apply([gradient]);
    gradient.dispose();
    return theta.dataSync()[0];
  });
  adam.dispose();
  theta.dispose();
  return values;
}

// Every test runs on cpu and on wasm, the backend training uses.
for (const backend of ['cpu', 'wasm'] as const) {
  const test = suite(`adam on ${backend}`);

  test.before(async () => {
    await selectBackend(backend);
  });


  test('adam defaults are the paper code settings', () => {
    assert.equal({ ...PAPER_ADAM }, { learningRate: 1e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 });
    const theta = tf.variable(tf.scalar(0));
    const adam = new Adam([theta]);
    assert.equal({ ...adam.options }, { ...PAPER_ADAM });
    adam.dispose();
    theta.dispose();
  });

  test('adam first step puts ε outside the root', () => {
    // Step 1 has m̂ = g and v̂ = g², so θ1 = −lr·g/(|g| + ε).
    const [withTfjsEpsilon] = scalarRun([1e-7], { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    assertClose(withTfjsEpsilon, -5.0e-4, 'g = 1e-7, ε = 1e-7');
    const [withPaperEpsilon] = scalarRun([1e-7], { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    assertClose(withPaperEpsilon, -9.0909e-4, 'g = 1e-7, ε = 1e-8', 1e-4);
  });

  test('adam steps through 1, −1, 0.5 with bias correction', () => {
    const theta = scalarRun([1, -1, 0.5], { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    assertClose(theta[0], -9.9999990e-4, 'θ1');
    assertClose(theta[1], -9.4736833e-4, 'θ2');
    assertClose(theta[2], -1.12209384e-3, 'θ3');
  });

  test('adam first step size is lr·|g|/(|g| + ε)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }).filter((g) => Math.abs(g) > 1e-9),
        fc.constantFrom(1e-8, 1e-7, 1e-4),
        (g, epsilon) => {
          const g32 = Math.fround(g);
          const [theta] = scalarRun([g32], { learningRate: 1e-3, beta1: 0.5, beta2: 0.999, epsilon });
          assertClose(Math.abs(theta), (1e-3 * Math.abs(g32)) / (Math.abs(g32) + epsilon), `g = ${g32}, ε = ${epsilon}`);
          assert.is(Math.sign(theta), -Math.sign(g32));
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });

  test('adam matches float64 Algorithm 1 over many steps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }).map(Math.fround), { minLength: 1, maxLength: 30 }),
        fc.constantFrom(0, 0.5, 0.9),
        fc.constantFrom(0.9, 0.99, 0.999),
        (gradients, beta1, beta2) => {
          const options = { learningRate: 1e-2, beta1, beta2, epsilon: 1e-8 };
          const actual = scalarRun(gradients, options);
          const expected = referenceAdam(gradients, 1e-2, beta1, beta2, 1e-8);
          // θ is a sum of steps of either sign; compare against the step size, not |θ|.
          actual.forEach((value, i) =>
            assert.ok(Math.abs(value - expected[i]) <= 1e-6 * (i + 1), `θ${i + 1}: ${value} vs ${expected[i]}`),
          );
        },
      ),
      { numRuns: 30, seed: 11 },
    );
  });

  test('adam leaves a variable without gradient untouched', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.scalar(3));
    const adam = new Adam([a, b], { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const ga = tf.tensor1d([1, -1]);
    const gb = tf.scalar(2);
    adam.apply([ga, null]);
    assert.equal(Array.from(b.dataSync()), [3]);
    assert.equal(adam.stepCounts(), [1, 0]);
    adam.apply([ga, gb]);
    // b's first step is a bias-corrected first step (t = 1), whatever a has done.
    assertClose(b.dataSync()[0], 3 - 0.1, 'b after its first step');
    assert.equal(adam.stepCounts(), [2, 1]);
    [ga, gb, a, b].forEach((x) => x.dispose());
    adam.dispose();
  });

  test('adam per player keeps each player its moments', () => {
    // Scalar a (D) and b (G) at 0, lr 1e-3, β 0.9/0.999, ε 1e-7; gradient {a: 1} then {b: −1}.
    // A single shared tfjs AdamOptimizer gives b = +5.2632e-5, because b inherits a's moments.
    const a = tf.variable(tf.scalar(0));
    const b = tf.variable(tf.scalar(0));
    const options = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    const adamD = new Adam([a], options);
    const adamG = new Adam([b], options);
    const one = tf.scalar(1);
    const minusOne = tf.scalar(-1);
    adamD.apply([one]);
    adamG.apply([minusOne]);
    assertClose(a.dataSync()[0], -9.9999990e-4, 'a');
    assertClose(b.dataSync()[0], 9.9999990e-4, 'b');
    [a, b, one, minusOne].forEach((x) => x.dispose());
    adamD.dispose();
    adamG.dispose();
  });

  test('adam reset makes the next step a first step', () => {
    const theta = tf.variable(tf.scalar(0));
    const adam = new Adam([theta], { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    const g = tf.scalar(1);
    adam.apply([g]);
    adam.apply([g]);
    const before = theta.dataSync()[0];
    adam.reset();
    const small = tf.scalar(1e-3);
    adam.apply([small]);
    // Without the reset the old moments would dominate: the step would be near lr·0.1/0.1.
    assertClose(before - theta.dataSync()[0], (1e-3 * 1e-3) / (1e-3 + 1e-7), 'step after reset');
    assert.equal(adam.stepCounts(), [1]);
    [theta, g, small].forEach((x) => x.dispose());
    adam.dispose();
  });

  test('adam state round trip continues identically', async () => {
    const gradients = [0.3, -1.1, 2.5, 0.01, -0.7, 1.9];
    const make = () => {
      const theta = tf.variable(tf.tensor1d([0.5, -0.25]));
      return { theta, adam: new Adam([theta], { learningRate: 1e-2, beta1: 0.5, beta2: 0.99, epsilon: 1e-8 }) };
    };
    const step = (run: ReturnType<typeof make>, g: number) => {
      const gradient = tf.tensor1d([g, -2 * g]);
      run.adam.apply([gradient]);
      gradient.dispose();
    };
    const straight = make();
    gradients.forEach((g) => step(straight, g));

    const first = make();
    gradients.slice(0, 3).forEach((g) => step(first, g));
    const state = await first.adam.exportState();
    const values = first.theta.dataSync().slice();
    const resumed = make();
    resumed.theta.assign(tf.tensor1d(values));
    resumed.adam.loadState(state);
    gradients.slice(3).forEach((g) => step(resumed, g));

    assert.equal(Array.from(resumed.theta.dataSync()), Array.from(straight.theta.dataSync()));
    for (const run of [straight, first, resumed]) {
      run.theta.dispose();
      run.adam.dispose();
    }
  });

  test('adam returns the updates it applied', () => {
    const theta = tf.variable(tf.tensor1d([1, 2, 3]));
    const other = tf.variable(tf.scalar(5));
    const adam = new Adam([theta, other], { learningRate: 0.05, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 });
    const before = Array.from(theta.dataSync());
    const gradient = tf.tensor1d([0.2, -3, 0]);
    const updates = adam.apply([gradient, null], true)!;
    const after = Array.from(theta.dataSync());
    assert.is(updates[1], undefined, 'no update without a gradient');
    const update = Array.from(updates[0]!.dataSync());
    update.forEach((delta, i) => assertClose(before[i] - delta, after[i], `θ[${i}] − Δθ[${i}]`));
    [theta, other, gradient, updates[0]!].forEach((x) => x.dispose());
    adam.dispose();
  });

  test('adam rejects invalid hyper-parameters', () => {
    const theta = tf.variable(tf.scalar(0));
    assert.throws(() => new Adam([theta], { learningRate: -1 }), /adam.learningRate must be a finite number ≥ 0, received -1/);
    assert.throws(() => new Adam([theta], { beta1: 1 }), /adam.beta1 must be in \[0, 1\), received 1/);
    assert.throws(() => new Adam([theta], { beta2: -0.1 }), /adam.beta2 must be in \[0, 1\), received -0.1/);
    assert.throws(() => new Adam([theta], { epsilon: Number.NaN }), /adam.epsilon must be a finite number ≥ 0, received NaN/);
    const adam = new Adam([theta]);
    assert.throws(() => adam.apply([]), /expected 1 gradients, one per variable, received 0/);
    adam.dispose();
    theta.dispose();
  });

  test('adam steps leak no tensors', () => {
    const theta = tf.variable(tf.tensor1d([1, 2]));
    const adam = new Adam([theta]);
    const gradient = tf.tensor1d([1, 1]);
    tf.dispose(adam.apply([gradient], true) as tf.Tensor[]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      adam.apply([gradient]);
      tf.dispose(adam.apply([gradient], true) as tf.Tensor[]);
    }
    adam.reset();
    assert.is(tf.memory().numTensors, before);
    [theta, gradient].forEach((x) => x.dispose());
    adam.dispose();
  });

  test.run();
}
