/**
 * The cost registry and the API around it: names, options, input checks, stop-gradient,
 * unit rescaling and tensor bookkeeping. Numerical agreement with the theory is in
 * properties/costs.ts; the known fault cases are in costsCases.test.ts.
 */
import * as assert from 'uvu/assert';
import { test } from 'uvu';
import * as tf from '@tensorflow/tfjs';
import { COST_FAMILIES, parseCostName } from '../src/theory/costNames.ts';
import { costs, getCost, globalNorm, rescaleToNorm, stopGradient } from '../src/costs/index.ts';
import { costBackends, REPRESENTATIVE_COST_NAMES } from '../properties/costs.ts';

async function eachBackend(check: (backend: string) => void): Promise<void> {
  for (const backend of await costBackends()) {
    await tf.setBackend(backend);
    check(backend);
  }
}

function throwsWith(fn: () => unknown, kind: ErrorConstructor, ...fragments: string[]): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, kind);
    for (const fragment of fragments) {
      assert.ok((error as Error).message.includes(fragment), `"${(error as Error).message}" lacks "${fragment}"`);
    }
    return;
  }
  assert.unreachable(`expected a ${kind.name} mentioning ${fragments.join(', ')}`);
}

test('registry: one factory per family', () => {
  assert.equal(Object.keys(costs).sort(), [...COST_FAMILIES].sort());
});

test('getCost: name, family and constant', () => {
  for (const name of REPRESENTATIVE_COST_NAMES) {
    const spec = parseCostName(name);
    const cost = getCost(name);

    assert.is(cost.name, name);
    assert.is(cost.family, spec.family);
    assert.is(cost.a, spec.a);
    const unit = spec.family === 'mm-unit' || spec.family === 'ns-unit';
    assert.is(typeof cost.transformGeneratorGradients === 'function', unit, `${name} transform`);
  }
});

test('getCost: unknown name lists the valid ones', () => {
  throwsWith(() => getCost('wgan'), RangeError, '"wgan"', 'mm-nsat', 'ns+mm(A)');
  throwsWith(() => getCost(''), RangeError, 'unknown cost');
});

test('getCost: constant a out of range', () => {
  throwsWith(() => getCost('ns+mm(1.5)'), RangeError, 'ns+mm(1.5)', '[0, 1]');
  throwsWith(() => getCost('ns+mm-nsat(-0.1)'), RangeError, '[0, 1]');
  throwsWith(() => getCost('ns-add--1'), RangeError, '≥ 0');
  throwsWith(() => getCost('mm-nsat-add-abc'), RangeError, '"abc"');
});

test('factories: spec checked against the family', () => {
  throwsWith(() => costs.mm(parseCostName('ns')), RangeError, 'costs.mm', '"ns"');
  throwsWith(() => costs['ns+mm']({ name: 'ns+mm(2)', family: 'ns+mm', a: 2 }), RangeError, 'spec.a', '2');
  throwsWith(() => costs['ns-add']({ name: 'ns-add', family: 'ns-add' }), RangeError, 'spec.a', 'undefined');
  throwsWith(() => costs.mm({ name: 'mm', family: 'mm', a: 1 }), RangeError, 'takes no constant');
});

test('options: invalid reduction, ε_R and N_θ', () => {
  throwsWith(() => getCost('mm', { reduction: 'average' as never }), RangeError, 'reduction', '"average"', 'mean, sum');
  throwsWith(() => getCost('mm-nsat', { rescaleEpsilon: -1e-8 }), RangeError, 'rescaleEpsilon', '-1e-8');
  throwsWith(() => getCost('mm-nsat', { rescaleEpsilon: Number.NaN }), TypeError, 'rescaleEpsilon', 'NaN');
  throwsWith(() => getCost('mm-unit', { unitNorm: 0 }), RangeError, 'unitNorm', "'parameter-count'");
  throwsWith(() => getCost('mm-unit', { unitNorm: 'all' as never }), TypeError, 'unitNorm', 'all');
});

test('generator: bad logit batches', async () => {
  await eachBackend(() => {
    const cost = getCost('mm-nsat');

    tf.tidy(() => {
      throwsWith(() => cost.generator(tf.tensor1d([])), RangeError, 'mm-nsat generator', 'fakeLogits', 'at least one');
      throwsWith(() => cost.generator([0.5] as never), TypeError, 'fakeLogits', 'tf.Tensor', 'array');
      throwsWith(() => cost.generator(tf.tensor1d([1], 'int32')), TypeError, 'float32', 'int32');
      throwsWith(() => cost.generator(tf.zeros([2, 2])), RangeError, '[N] or [N, 1]', '[2, 2]');
    });
  });
});

test('discriminator: bad logit batches', async () => {
  await eachBackend(() => {
    const cost = getCost('hinge');

    tf.tidy(() => {
      throwsWith(() => cost.discriminator(tf.tensor1d([]), tf.tensor1d([0])), RangeError, 'realLogits', 'at least one');
      throwsWith(() => cost.discriminator(tf.tensor1d([0]), tf.zeros([0, 1])), RangeError, 'fakeLogits', 'at least one');
    });
  });
});

test('generator: [N, 1] equals [N]', async () => {
  await eachBackend((backend) => {
    const logits = [-3, 0.5, 2];
    for (const name of REPRESENTATIVE_COST_NAMES) {
      const cost = getCost(name);
      const [flat, column] = tf.tidy(() => [
        cost.generator(tf.tensor1d(logits)).dataSync()[0],
        cost.generator(tf.tensor2d(logits, [3, 1])).dataSync()[0],
      ]);

      assert.is(column, flat, `${backend} ${name}`);
    }
  });
});

test('reduction: sum is N times mean', async () => {
  await eachBackend((backend) => {
    const logits = [-3, 0.5, 2, 7];
    for (const name of REPRESENTATIVE_COST_NAMES) {
      const [mean, total] = tf.tidy(() => [
        getCost(name).generator(tf.tensor1d(logits)).dataSync()[0],
        getCost(name, { reduction: 'sum' }).generator(tf.tensor1d(logits)).dataSync()[0],
      ]);

      assert.ok(Math.abs(total - 4 * mean) <= 1e-6 * Math.abs(total), `${backend} ${name}: ${total} vs 4·${mean}`);
    }
  });
});

test('stopGradient: same value, zero gradient', async () => {
  await eachBackend((backend) => {
    const [value, gradient] = tf.tidy(() => {
      const x = tf.tensor1d([-2, 0, 3]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, tf.square(stopGradient(t)))))(x);
      return [Array.from(stopGradient(x).dataSync()), Array.from(g.dataSync())];
    });

    assert.equal(value, [-2, 0, 3], backend);
    // d/dx x·stop(x)² = stop(x)² only.
    assert.equal(gradient, [4, 0, 9], backend);
  });
  throwsWith(() => stopGradient(3 as never), TypeError, 'stopGradient', '3');
});

test('costs leave no tensors behind', async () => {
  await eachBackend((backend) => {
    const real = tf.tensor1d([1, 2, -0.5]);
    const fake = tf.tensor1d([-1, 0.5, 4]);
    const before = tf.memory().numTensors;

    for (const name of REPRESENTATIVE_COST_NAMES) {
      const cost = getCost(name);
      tf.tidy(() => {
        tf.grad((l: tf.Tensor) => cost.generator(l))(fake);
        tf.grads((r: tf.Tensor, f: tf.Tensor) => cost.discriminator(r, f))([real, fake]);
      });
      cost.generator(fake).dispose();
      cost.discriminator(real, fake).dispose();
    }

    assert.is(tf.memory().numTensors, before, backend);
    tf.dispose([real, fake]);
  });
});

test('unit rescaling: [3, 4] and [12] to norm 2', async () => {
  await eachBackend((backend) => {
    const [rescaled, inputsAfter] = tf.tidy(() => {
      const gradients = [tf.tensor1d([3, 4]), tf.tensor1d([12])];
      const output = rescaleToNorm(gradients, 2, 0);
      return [output.map((t) => Array.from(t.dataSync())), gradients.map((t) => Array.from(t.dataSync()))];
    });

    // ‖(3, 4, 12)‖ = 13, so R = 2/13.
    const expected = [[6 / 13, 8 / 13], [24 / 13]];
    rescaled.flat().forEach((v, i) => assert.ok(Math.abs(v - expected.flat()[i]) < 1e-6, `${backend} [${i}] ${v}`));
    assert.equal(inputsAfter, [[3, 4], [12]], `${backend}: inputs unchanged`);
  });
});

test('unit rescaling: zero, huge and tiny gradients', async () => {
  await eachBackend((backend) => {
    const [zero, hugeNorm, tinyNorm] = tf.tidy(() => [
      Array.from(rescaleToNorm([tf.zeros([3])], 1, 0)[0].dataSync()),
      globalNorm([tf.tensor1d([3e30, 4e30])]).dataSync()[0],
      globalNorm([tf.tensor1d([3e-30]), tf.tensor1d([4e-30])]).dataSync()[0],
    ]);

    assert.equal(zero, [0, 0, 0], `${backend}: 0 stays 0 for ε = 0`);
    assert.ok(Math.abs(hugeNorm - 5e30) <= 1e-6 * 5e30, `${backend}: ${hugeNorm}`);
    assert.ok(Math.abs(tinyNorm - 5e-30) <= 1e-6 * 5e-30, `${backend}: ${tinyNorm}`);
  });
});

test('unit rescaling: N_θ from the parameter count', async () => {
  await eachBackend((backend) => {
    const norm = tf.tidy(() => {
      const gradients = [tf.ones([2, 3]), tf.ones([4])];
      const output = getCost('ns-unit', { unitNorm: 'parameter-count', rescaleEpsilon: 0 }).transformGeneratorGradients!(gradients);
      return globalNorm(output).dataSync()[0];
    });

    assert.ok(Math.abs(norm - 10) < 1e-5, `${backend}: norm ${norm}, expected 10 parameters`);
  });
});

test('unit rescaling: bad arguments', () => {
  throwsWith(() => rescaleToNorm([], 1, 0), RangeError, 'gradients', 'at least one');
  throwsWith(() => rescaleToNorm([3] as never, 1, 0), TypeError, 'gradients[0]');
  tf.tidy(() => {
    throwsWith(() => rescaleToNorm([tf.ones([2])], 0, 0), RangeError, 'norm', '> 0');
    throwsWith(() => rescaleToNorm([tf.ones([2])], 1, -1), RangeError, 'epsilon', '≥ 0');
  });
});

test.run();
