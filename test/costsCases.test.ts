/**
 * Known faults of GAN cost code, with their inputs and right outputs: log-sigmoid costs
 * that overflow, probabilities passed where logits belong, and an MM-nsat batch factor
 * that autodiff differentiates. Each case runs on cpu and, when it loads, on wasm.
 */
import * as assert from 'uvu/assert';
import { test } from 'uvu';
import * as tf from '@tensorflow/tfjs';
import { getCost, mmNsatFactor, mmSampleCost, nsAddFactor, mmNsatAddFactor, nsSampleCost } from '../src/costs/index.ts';
import { logitToProbability, sampleWeights } from '../src/theory/scalingFactor.ts';
import {
  assertWithin,
  costBackends,
  discriminatorValueAndGradients,
  FLOAT32_GRADIENT,
  generatorValueAndGradient,
} from '../properties/costs.ts';

/** The right outputs below are known to 1e-5 relative or better. */
const CASE_TOLERANCE = { relative: 1e-5, absolute: 0 };

const LN3 = Math.log(3);

async function eachBackend(check: (backend: string) => void): Promise<void> {
  for (const backend of await costBackends()) {
    await tf.setBackend(backend);
    check(backend);
  }
}

test('mm at D_l = 50: −50, gradient −1', async () => {
  await eachBackend((backend) => {
    const { value, gradient } = generatorValueAndGradient(getCost('mm'), [50]);

    assertWithin(`${backend} J_mm`, [value], [-50], CASE_TOLERANCE);
    assertWithin(`${backend} dJ_mm/dD_l`, gradient, [-1], CASE_TOLERANCE);
  });
});

test('ns at D_l = −100: 100', async () => {
  await eachBackend((backend) => {
    const { value, gradient } = generatorValueAndGradient(getCost('ns'), [-100]);

    assertWithin(`${backend} J_ns`, [value], [100], CASE_TOLERANCE);
    assertWithin(`${backend} dJ_ns/dD_l`, gradient, [-1], CASE_TOLERANCE);
  });
});

test('D cost at +∞ and −∞: 0', async () => {
  await eachBackend((backend) => {
    for (const name of ['mm', 'ns', 'mm-nsat', 'iw-ns']) {
      const { value, real, fake } = discriminatorValueAndGradients(getCost(name), [Infinity], [-Infinity]);

      assert.is(value, 0, `${backend} ${name} J_D`);
      assert.equal([Math.abs(real[0]), Math.abs(fake[0])], [0, 0], `${backend} ${name} gradients`);
    }
  });
});

test('labelled cross-entropy NaN at +∞', async () => {
  // The fault that the softplus form avoids: tf.losses.sigmoidCrossEntropy computes
  // relu(l) − l·y + log1p(e^{−|l|}), which is ∞ − ∞ at l = +∞ with label 1.
  await eachBackend((backend) => {
    const labelled = tf.tidy(() =>
      tf.losses.sigmoidCrossEntropy(tf.tensor1d([1]), tf.tensor1d([Infinity])).dataSync()[0],
    );

    assert.ok(Number.isNaN(labelled), `${backend}: expected NaN, received ${labelled}`);
  });
});

test('real-side D cost at 0 and 10', async () => {
  await eachBackend((backend) => {
    const cost = getCost('ns');
    // A generated logit of −∞ contributes softplus(−∞) = 0, leaving the real side alone.
    const atZero = discriminatorValueAndGradients(cost, [0], [-Infinity]);
    const atTen = discriminatorValueAndGradients(cost, [10], [-Infinity]);

    assertWithin(`${backend} J_D at 0`, [atZero.value], [Math.LN2], CASE_TOLERANCE);
    assertWithin(`${backend} J_D at 10`, [atTen.value], [Math.log1p(Math.exp(-10))], CASE_TOLERANCE);
    assertWithin(`${backend} dJ_D/dD_l(x) at 10`, atTen.real, [-logitToProbability(-10)], CASE_TOLERANCE);
    // To five digits, and unlike a double sigmoid (0.313274 and −1.22e-5 at 10).
    assert.is(Number(atTen.value.toPrecision(5)), 4.5399e-5);
    assert.is(Number(atTen.real[0].toPrecision(5)), -4.5398e-5);
  });
});

test('fake-side D cost at 0: ln 2', async () => {
  await eachBackend((backend) => {
    const { value } = discriminatorValueAndGradients(getCost('ns'), [Infinity], [0]);

    assertWithin(`${backend} J_D`, [value], [Math.LN2], CASE_TOLERANCE);
  });
});

test('mm-nsat on [0, ln 3]', async () => {
  await eachBackend((backend) => {
    const { value, gradient } = generatorValueAndGradient(getCost('mm-nsat'), [0, LN3]);

    // D_p = [0.5, 0.75], D̄_p = 0.625, R = 0.375/0.625 = 0.6 (ε_R shifts it by 1.6e-8).
    assertWithin(`${backend} J_mm-nsat`, [value], [0.6 * 0.5 * (Math.log(0.5) + Math.log(0.25))], CASE_TOLERANCE);
    assertWithin(`${backend} J_mm-nsat`, [value], [-0.6238325], CASE_TOLERANCE);
    // R·(−D_p,i/N) = 0.6·[−0.25, −0.375]
    assertWithin(`${backend} dJ/dD_l`, gradient, [-0.15, -0.225], CASE_TOLERANCE);
  });
});

/** Central differences, in float64, of R(l)·mean log(1 − σ(l)) with R = (1 − D̄_p)/(ε_R + D̄_p). */
function throughFactorByDifferences(logits: number[]): number[] {
  const cost = (l: number[]): number => {
    const p = l.map(logitToProbability);
    const meanP = p.reduce((total, v) => total + v, 0) / p.length;
    const meanLog = p.reduce((total, v) => total + Math.log(1 - v), 0) / p.length;
    return ((1 - meanP) / (1e-8 + meanP)) * meanLog;
  };
  const h = 1e-6;
  return logits.map((_, i) => {
    const above = logits.map((v, j) => (j === i ? v + h : v));
    const below = logits.map((v, j) => (j === i ? v - h : v));
    return (cost(above) - cost(below)) / (2 * h);
  });
}

test('mm-nsat without stop flips sign', async () => {
  await eachBackend((backend) => {
    const throughFactor = tf.tidy(() =>
      Array.from(
        tf
          .grad((l: tf.Tensor) => tf.mul(mmNsatFactor(l as tf.Tensor1D, 1e-8), tf.mean(mmSampleCost(l))))(
            tf.tensor1d([0, LN3]),
          )
          .dataSync(),
      ),
    );

    assertWithin(`${backend} gradient through R`, throughFactor, [0.182711, 0.024533], CASE_TOLERANCE);
    assertWithin(`${backend} gradient through R`, throughFactor, throughFactorByDifferences([0, LN3]), CASE_TOLERANCE);
  });
});

test('mm-nsat on equal logits equals ns', async () => {
  await eachBackend((backend) => {
    const mmNsat = generatorValueAndGradient(getCost('mm-nsat'), [LN3, LN3]).gradient;
    const ns = generatorValueAndGradient(getCost('ns'), [LN3, LN3]).gradient;

    // −(1 − D_p,i)/N = −0.25/2; ε_R = 1e-8 moves it by 1.3e-8 relative.
    assertWithin(`${backend} mm-nsat`, mmNsat, [-0.125, -0.125], CASE_TOLERANCE);
    assertWithin(`${backend} mm-nsat against ns`, mmNsat, ns, FLOAT32_GRADIENT);
  });
});

test('add variants need the stop', async () => {
  // The batch cost without R is far from 0 on these logits, so differentiating R moves
  // the gradient visibly: ns-add-1 has J̄ = mean(softplus(−l) − l) = 1.72, mm-nsat-add-1
  // has J̄ = mean(−softplus(l) − l) = −0.22.
  const logits = [-2, 1];
  const throughFactor: Record<string, (l: tf.Tensor1D) => tf.Scalar> = {
    'ns-add-1': (l) => tf.mul(nsAddFactor(l, 1, 1e-8), tf.mean(tf.sub(nsSampleCost(l), l))),
    'mm-nsat-add-1': (l) => tf.mul(mmNsatAddFactor(l, 1, 1e-8), tf.mean(tf.sub(mmSampleCost(l), l))),
  };
  await eachBackend((backend) => {
    for (const [name, unstopped] of Object.entries(throughFactor)) {
      const expected = sampleWeights(name, logits.map(logitToProbability)).map((w) => -w / logits.length);
      const shipped = generatorValueAndGradient(getCost(name), logits).gradient;
      const through = tf.tidy(() =>
        Array.from(tf.grad((l: tf.Tensor) => unstopped(l as tf.Tensor1D))(tf.tensor1d(logits)).dataSync()),
      );

      assertWithin(`${backend} ${name}`, shipped, expected, FLOAT32_GRADIENT);
      const shift = Math.max(...through.map((g, i) => Math.abs(g - expected[i])));
      assert.ok(shift > 1e-2, `${backend} ${name}: the gradient through R moved by only ${shift}`);
    }
  });
});

test.run();
