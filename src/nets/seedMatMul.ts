/**
 * The dense layer of S independent networks at once: inputs [S, N, in], kernels
 * [S, in, out] and biases [S, 1, out] give act(x_s·W_s + b_s) for every seed s, with one
 * tfjs operation per layer instead of S.
 *
 * tfjs-backend-wasm 4.22 hands a matrix product to XNNPACK only when its batch axis has
 * size 1; with a leading axis above 1 it runs a scalar loop. A [10, 128, 128]·[10, 128, 128]
 * product took 25 ms that way against 0.24 ms for one [128, 128]·[128, 128] product
 * (2-core AMD EPYC, one wasm thread). On wasm the kernel registered here therefore calls
 * the backend's own fused product once per seed. It passes views of the seed's slices,
 * which are tensor ids registered on the same heap memory without a copy. Each call then
 * takes the XNNPACK path with the bias and activation fused. Other backends use tf.matMul
 * on rank 3.
 *
 * On wasm the backward pass is written out, as tfjs does for its fused matMul:
 * dZ = act'(Z)·dY, dX = dZ·Wᵀ, dW = Xᵀ·dZ, db = Σ_n dZ, with the transposed operands
 * materialised first so that every product is a plain one. Other backends differentiate
 * tf.matMul, tf.add and the activation.
 */
import * as tf from '@tensorflow/tfjs';

/** Activation fused into the product; the slope of leakyrelu is the `alpha` argument. */
export type SeedDenseActivation = 'linear' | 'relu' | 'leakyrelu';

const KERNEL_NAME = 'SeedFusedMatMul';

/** tfjs-backend-wasm's FusableActivation codes (kernels/types.ts of 4.22). */
const WASM_ACTIVATION: Record<SeedDenseActivation, number> = { linear: 0, relu: 1, leakyrelu: 4 };

interface WasmModule {
  cwrap(name: string, returnType: null, argTypes: string[]): (...args: unknown[]) => void;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}

interface WasmBackend {
  wasm: WasmModule;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type WasmFusedMatMul = (...args: unknown[]) => void;
const fusedMatMulByModule = new WeakMap<WasmModule, WasmFusedMatMul>();

function wasmFusedMatMul(wasm: WasmModule): WasmFusedMatMul {
  let fn = fusedMatMulByModule.get(wasm);
  if (fn === undefined) {
    // The argument list of tfjs-backend-wasm 4.22's _FusedMatMul (kernels/_FusedMatMul.ts).
    const number = 'number';
    fn = wasm.cwrap('_FusedMatMul', null, [
      number, 'array', number, number, 'array', number, number, number, number, number, number, number, number,
    ]);
    fusedMatMulByModule.set(wasm, fn);
  }
  return fn;
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/**
 * Computes out[s] = act(a[s]·b[s] + bias[s]) on wasm with one XNNPACK product per seed.
 * A view is a tensor id registered on a slice of an existing buffer. Disposing it on the C
 * side frees no memory, but it drops the XNNPACK operator cached for that id.
 */
function seedFusedMatMulWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as unknown as WasmBackend;
  const { a, b, bias } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const activation = (args.attrs?.activation ?? 'linear') as SeedDenseActivation;
  const alpha = (args.attrs?.alpha ?? 0) as number;
  const [seeds, rows, inner] = a!.shape;
  const columns = b!.shape[2];
  const out = backend.makeOutput([seeds, rows, columns], 'float32');
  const call = wasmFusedMatMul(backend.wasm);

  const offsetOf = (info: tf.TensorInfo) => backend.dataIdMap.get(info.dataId).memoryOffset;
  const aOffset = offsetOf(a!);
  const bOffset = offsetOf(b!);
  const outOffset = offsetOf(out);
  const biasOffset = bias === undefined ? 0 : offsetOf(bias);
  const aShape = shapeBytes([1, rows, inner]);
  const bShape = shapeBytes([1, inner, columns]);
  const views: number[] = [];
  const view = (offset: number, size: number) => {
    const id = backend.dataIdNextNumber++;
    backend.wasm.tfjs.registerTensor(id, size, offset);
    views.push(id);
    return id;
  };
  try {
    for (let s = 0; s < seeds; s++) {
      const aId = view(aOffset + 4 * s * rows * inner, rows * inner);
      const bId = view(bOffset + 4 * s * inner * columns, inner * columns);
      const outId = view(outOffset + 4 * s * rows * columns, rows * columns);
      const biasId = bias === undefined ? 0 : view(biasOffset + 4 * s * columns, columns);
      call(aId, aShape, 3, bId, bShape, 3, 0, 0, WASM_ACTIVATION[activation], biasId, 0, alpha, outId);
      for (const id of views.splice(0)) backend.wasm.tfjs.disposeData(id);
    }
  } finally {
    for (const id of views) backend.wasm.tfjs.disposeData(id);
  }
  return out;
}

function assertOperands(fn: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.rank !== 3 || b.rank !== 3) {
    throw new RangeError(`${fn}: operands must have rank 3 [S, ·, ·], received [${a.shape}] and [${b.shape}]`);
  }
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new RangeError(`${fn}: shapes [${a.shape}] and [${b.shape}] do not form a product per seed`);
  }
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new TypeError(`${fn}: operands must be float32, received ${a.dtype} and ${b.dtype}`);
  }
}

let registered = false;

/**
 * Registers the wasm kernel and its gradient. The gradient is registered rather than
 * written with tf.customGrad because a registered gradient returns one closure per input,
 * and tfjs calls only the closures of inputs on the path to the variables being
 * differentiated. A G update therefore skips dW of D's layers, and every update skips the
 * input gradient of G's first layer (the noise).
 */
function ensureRegistered(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel(KERNEL_NAME, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: KERNEL_NAME, backendName: 'wasm', kernelFunc: seedFusedMatMulWasm as tf.KernelFunc });
  }
  tf.registerGradient({
    kernelName: KERNEL_NAME,
    inputsToSave: ['a', 'b'],
    outputsToSave: [true],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [a, b, y] = saved;
      const gradient = dy as tf.Tensor;
      const activation = attrs.activation as SeedDenseActivation;
      // The sign of the output is the sign of the pre-activation for relu and leakyrelu.
      let dz = gradient;
      if (activation === 'relu') dz = tf.mul(gradient, tf.step(y));
      if (activation === 'leakyrelu') dz = tf.mul(gradient, tf.step(y, attrs.alpha as number));
      return {
        a: () => seedMatMul(dz as tf.Tensor3D, transposeSeeds(b)),
        b: () => seedMatMul(transposeSeeds(a), dz as tf.Tensor3D),
        bias: () => tf.sum(dz, 1, true),
      };
    },
  });
}

/** act(a·b + bias) per seed; bias is [S, 1, out] or absent. */
function seedProduct(
  a: tf.Tensor3D,
  b: tf.Tensor3D,
  bias: tf.Tensor3D | undefined,
  activation: SeedDenseActivation,
  alpha: number,
): tf.Tensor3D {
  if (tf.getBackend() === 'wasm') {
    ensureRegistered();
    const inputs: tf.NamedTensorMap = { a, b };
    if (bias !== undefined) inputs.bias = bias;
    return tf.engine().runKernel(KERNEL_NAME, inputs, { activation, alpha }) as tf.Tensor3D;
  }
  return tf.tidy(() => {
    let z: tf.Tensor = tf.matMul(a, b);
    if (bias !== undefined) z = tf.add(z, bias);
    if (activation === 'relu') return tf.relu(z) as tf.Tensor3D;
    if (activation === 'leakyrelu') return tf.leakyRelu(z, alpha) as tf.Tensor3D;
    return z as tf.Tensor3D;
  });
}

function transposeSeeds(x: tf.Tensor): tf.Tensor3D {
  return tf.transpose(x, [0, 2, 1]) as tf.Tensor3D;
}

/** Multiplies a[s]·b[s] for every seed s: [S, M, K]·[S, K, N] → [S, M, N]. */
export function seedMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  assertOperands('seedMatMul', a, b);
  return seedProduct(a, b, undefined, 'linear', 0);
}

/**
 * Applies one dense layer per seed, act(x[s]·kernel[s] + bias[s]), to x [S, N, in] with a
 * kernel [S, in, out] and a bias [S, 1, out]. The result is differentiable in all three,
 * also twice (a gradient penalty differentiates D's input gradient again).
 */
export function seedDense(
  x: tf.Tensor3D,
  kernel: tf.Tensor3D,
  bias: tf.Tensor3D,
  activation: SeedDenseActivation,
  alpha = 0.2,
): tf.Tensor3D {
  assertOperands('seedDense', x, kernel);
  const [seeds, , columns] = kernel.shape;
  if (bias.rank !== 3 || bias.shape[0] !== seeds || bias.shape[1] !== 1 || bias.shape[2] !== columns) {
    throw new RangeError(`seedDense: bias must have shape [${seeds}, 1, ${columns}], received [${bias.shape}]`);
  }
  return seedProduct(x, kernel, bias, activation, alpha);
}
