import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBackend } from '../src/backend.ts';

test('backend falls back to wasm with its kernel fixes', async () => {
  const info = await selectBackend();

  // tfjs-node cannot be installed on every machine; where it is, the test checks it instead.
  if (info.name === 'tensorflow') {
    assert.is(tf.getBackend(), 'tensorflow');
    return;
  }
  assert.is(info.name, 'wasm');
  assert.is(tf.getBackend(), 'wasm');
  assert.ok(info.skipped.length >= 2, 'both tfjs-node packages are listed as skipped');
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined);
  assert.equal(info.kernels, ['BatchMatMul', '_FusedMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput']);
});

test('backend forced to cpu is recorded', async () => {
  const info = await selectBackend('cpu');

  assert.is(info.name, 'cpu');
  assert.is(tf.getBackend(), 'cpu');
  assert.is(info.threads, 1);
});

test('backend rejects an unknown name', async () => {
  try {
    await selectBackend('webgl');
    assert.unreachable('selectBackend accepted "webgl"');
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /unknown backend "webgl"; expected one of tensorflow, wasm, cpu/);
  }
});

test('backend names a missing tensorflow package', async () => {
  let info;
  try {
    info = await selectBackend('tensorflow');
  } catch (error) {
    assert.match((error as Error).message, /requested backend "tensorflow" could not be loaded/);
    assert.match((error as Error).message, /@tensorflow\/tfjs-node/);
    return;
  }
  assert.is(info.name, 'tensorflow');
});

test('the cpu backend prints no install advice once a backend is selected', async () => {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...parts: unknown[]) => void warnings.push(parts.join(' '));
  try {
    const cpu = tf.findBackend('cpu') as { firstUse?: boolean };
    cpu.firstUse = true;
    await selectBackend('wasm');
    await tf.setBackend('cpu');
    tf.tidy(() => tf.tensor([1, 2]).dataSync());
  } finally {
    console.warn = original;
  }
  assert.equal(warnings.filter((line) => line.includes('node backend')), []);
});

test.run();
