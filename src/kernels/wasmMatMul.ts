/**
 * A faster matrix product for tfjs-backend-wasm 4.22.
 *
 * The wasm `BatchMatMul` and `_FusedMatMul` kernels hand the product to XNNPACK only when
 * neither operand is marked transposed. Otherwise they run a scalar blocked loop that is
 * 10–30× slower: a 512³ product took 9.4 ms plain, 119 ms with transposeB and 265 ms with
 * transposeA (one thread, 2-core AMD EPYC). Every backward product of a dense layer is
 * transposed, so training spends most of its time there. The replacement kernels below materialise each
 * transposed operand with the wasm `Transpose` kernel and call the original kernel on the
 * plain product, which XNNPACK then runs. The result is the same product; only the order of
 * the float32 additions may differ.
 *
 * The scalar loop also gets fused matMuls wrong (tfjs-backend-wasm 4.22, checked against the
 * cpu backend): it adds the bias wrongly and applies the activation to partial sums once
 * the inner dimension exceeds its block. With plain operands only a batched product (a
 * leading batch axis above 1) still takes that loop, so for those the bias and the
 * activation are applied afterwards with the wasm Add and activation kernels.
 */
import * as tf from '@tensorflow/tfjs';

const KERNEL_NAMES = ['BatchMatMul', '_FusedMatMul'] as const;

/** Marks a kernel config installed here, so that installing twice wraps only once. */
const ORIGINAL = Symbol('original wasm matmul kernel');

type KernelConfig = tf.KernelConfig & { [ORIGINAL]?: tf.KernelConfig };

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

interface WasmBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

function runKernel(
  name: string,
  inputs: Record<string, TensorInfo>,
  backend: WasmBackend,
  attrs: tf.NamedAttrMap = {},
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) {
    throw new Error(`wasmMatMul: the wasm backend has no ${name} kernel registered`);
  }
  return kernel.kernelFunc({
    inputs: inputs as unknown as tf.NamedTensorInfoMap,
    backend: backend as unknown as tf.KernelBackend,
    attrs,
  }) as TensorInfo;
}

/** Swaps the last two axes of `x` with the wasm Transpose kernel. */
function materialiseTranspose(x: TensorInfo, backend: WasmBackend): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runKernel('Transpose', { x }, backend, { perm });
}

interface FusedAttrs {
  activation?: string;
  leakyreluAlpha?: number;
}

/** Applies a fused matMul's activation as its own wasm kernel. */
function activate(x: TensorInfo, attrs: FusedAttrs, inputs: Record<string, TensorInfo>, backend: WasmBackend): TensorInfo {
  switch (attrs.activation) {
    case 'relu':
      return runKernel('Relu', { x }, backend);
    case 'relu6':
      return runKernel('Relu6', { x }, backend);
    case 'elu':
      return runKernel('Elu', { x }, backend);
    case 'sigmoid':
      return runKernel('Sigmoid', { x }, backend);
    case 'leakyrelu':
      return runKernel('LeakyRelu', { x }, backend, { alpha: attrs.leakyreluAlpha ?? 0.2 });
    case 'prelu':
      return runKernel('Prelu', { x, alpha: inputs.preluActivationWeights }, backend);
    default:
      throw new Error(`wasmMatMul: unsupported fused activation "${attrs.activation}"`);
  }
}

function batchSize(x: TensorInfo): number {
  return x.shape.slice(0, -2).reduce((size, dim) => size * dim, 1);
}

function withPlainOperands(original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } & FusedAttrs;
    const backend = args.backend as unknown as WasmBackend;
    const inputs = args.inputs as Record<string, TensorInfo>;
    const fused = inputs.bias != null || (attrs.activation ?? 'linear') !== 'linear';
    const batchedFused = fused && Math.max(batchSize(inputs.a), batchSize(inputs.b)) > 1;
    if (!attrs.transposeA && !attrs.transposeB && !batchedFused) return original.kernelFunc(args);

    const temporaries: TensorInfo[] = [];
    const a = attrs.transposeA ? materialiseTranspose(inputs.a, backend) : inputs.a;
    if (attrs.transposeA) temporaries.push(a);
    const b = attrs.transposeB ? materialiseTranspose(inputs.b, backend) : inputs.b;
    if (attrs.transposeB) temporaries.push(b);
    try {
      if (!batchedFused) {
        return original.kernelFunc({
          ...args,
          inputs: { ...inputs, a, b } as unknown as tf.NamedTensorInfoMap,
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        });
      }
      const product = original.kernelFunc({
        ...args,
        inputs: { a, b } as unknown as tf.NamedTensorInfoMap,
        attrs: { ...args.attrs, transposeA: false, transposeB: false, activation: 'linear' },
      }) as TensorInfo;
      let result = product;
      if (inputs.bias != null) {
        temporaries.push(result);
        result = runKernel('Add', { a: result, b: inputs.bias }, backend);
      }
      if ((attrs.activation ?? 'linear') !== 'linear') {
        temporaries.push(result);
        result = activate(result, attrs, inputs, backend);
      }
      return result as unknown as tf.TensorInfo;
    } finally {
      // Disposing the transposed copy also releases XNNPACK operators cached for its id.
      for (const temporary of temporaries) backend.disposeData(temporary.dataId);
    }
  };
}

/**
 * Replaces the wasm `BatchMatMul` and `_FusedMatMul` kernels with ones that never pass a
 * transposed operand to the wasm matrix product. Call it after importing
 * `@tensorflow/tfjs-backend-wasm`; calling it again does nothing. Returns false when the
 * wasm kernels are not registered (the backend package was never imported).
 */
export function installWasmMatMulFix(): boolean {
  for (const name of KERNEL_NAMES) {
    if (tf.getKernel(name, 'wasm') === undefined) return false;
  }
  for (const name of KERNEL_NAMES) {
    const current = tf.getKernel(name, 'wasm') as KernelConfig;
    if (current[ORIGINAL] !== undefined) continue;
    const replacement: KernelConfig = {
      kernelName: name,
      backendName: 'wasm',
      setupFunc: current.setupFunc,
      disposeFunc: current.disposeFunc,
      kernelFunc: withPlainOperands(current),
      [ORIGINAL]: current,
    };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(replacement);
  }
  return true;
}

/** Restores the kernels that `installWasmMatMulFix` replaced (for benchmarks and tests). */
export function uninstallWasmMatMulFix(): void {
  for (const name of KERNEL_NAMES) {
    const current = tf.getKernel(name, 'wasm') as KernelConfig | undefined;
    const original = current?.[ORIGINAL];
    if (original === undefined) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(original);
  }
}

/** Returns whether the replacement kernels are the registered ones. */
export function isWasmMatMulFixInstalled(): boolean {
  return KERNEL_NAMES.every(
    (name) => (tf.getKernel(name, 'wasm') as KernelConfig | undefined)?.[ORIGINAL] !== undefined,
  );
}
