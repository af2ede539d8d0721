/**
 * The filter gradient of a 2-D convolution for tfjs-backend-wasm 4.22, which registers no
 * `Conv2DBackpropFilter` kernel: without it neither `conv2d` nor `conv2dTranspose` can be
 * differentiated with respect to its filter, so no convolutional network trains on wasm.
 *
 * For a convolution y = x ⋆ w with strides (s_h, s_w) and leading padding (top, left),
 *
 *   ∂L/∂w[i, j, c, k] = Σ_{b, p, q} x[b, p·s_h + i − top, q·s_w + j − left, c] · dy[b, p, q, k],
 *
 * which is itself a stride-1 convolution: the input is x with the batch axis moved to the
 * channel axis ([c, H, W, b]) and the filter is dy moved to [p, q, b, k] and dilated by the
 * strides. Its output [c, i, j, k] is transposed to the filter layout [i, j, c, k]. All
 * steps are existing wasm kernels (Transpose, Slice, Conv2D), so the product runs in
 * XNNPACK.
 */
import * as tf from '@tensorflow/tfjs';

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

interface WasmBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

interface Conv2dBackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

const KERNEL_NAME = 'Conv2DBackpropFilter';

function runWasmKernel(name: string, backend: WasmBackend, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) {
    throw new Error(`conv2dBackpropFilter: the wasm backend has no ${name} kernel registered`);
  }
  return kernel.kernelFunc({
    inputs: inputs as unknown as tf.NamedTensorInfoMap,
    backend: backend as unknown as tf.KernelBackend,
    attrs: attrs as tf.NamedAttrMap,
  }) as TensorInfo;
}

function conv2dBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { x, dy } = args.inputs as unknown as { x: TensorInfo; dy: TensorInfo };
  const backend = args.backend as unknown as WasmBackend;
  const attrs = args.attrs as unknown as Conv2dBackpropFilterAttrs;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`conv2dBackpropFilter: the wasm kernel supports dataFormat "NHWC" only, received "${attrs.dataFormat}"`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;

  // The stride-1 convolution must produce exactly filterHeight × filterWidth outputs, so the
  // trailing padding is whatever makes (outHeight − 1)·s_h + filterHeight rows from −top.
  // It is negative when the last rows of x meet no window, and then those rows are sliced off.
  const bottom = (outHeight - 1) * strideHeight + filterHeight - inHeight - top;
  const right = (outWidth - 1) * strideWidth + filterWidth - inWidth - left;

  const keptHeight = inHeight + Math.min(bottom, 0);
  const keptWidth = inWidth + Math.min(right, 0);
  if (keptHeight <= 0 || keptWidth <= 0) {
    // Every window lies in the padding (possible with numeric pads), so no weight meets x.
    return runWasmKernel('Fill', backend, {}, { shape: attrs.filterShape, value: 0, dtype: 'float32' });
  }

  const temporaries: TensorInfo[] = [];
  try {
    let input = runWasmKernel('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
    temporaries.push(input);
    if (bottom < 0 || right < 0) {
      input = runWasmKernel('Slice', backend, { x: input }, { begin: [0, 0, 0, 0], size: [inChannels, keptHeight, keptWidth, x.shape[0]] });
      temporaries.push(input);
    }
    const filter = runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
    temporaries.push(filter);

    const gradient = runWasmKernel(
      'Conv2D',
      backend,
      { x: input, filter },
      {
        strides: [1, 1],
        pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [strideHeight, strideWidth],
      },
    );
    temporaries.push(gradient);
    return runWasmKernel('Transpose', backend, { x: gradient }, { perm: [1, 2, 0, 3] });
  } finally {
    // Disposing the temporary filter also drops the XNNPACK operator cached for its id.
    for (const temporary of temporaries) backend.disposeData(temporary.dataId);
  }
}

/**
 * Registers `Conv2DBackpropFilter` for the wasm backend, so that conv2d and conv2dTranspose
 * train there. Call it after importing `@tensorflow/tfjs-backend-wasm`. Returns true when it
 * registered the kernel and false when one was already registered (calling twice is safe).
 * Throws when the wasm backend's own kernels are missing, i.e. the package was never imported.
 */
export function installWasmConv2dBackpropFilter(): boolean {
  if (tf.getKernel(KERNEL_NAME, 'wasm') !== undefined) return false;
  for (const name of ['Transpose', 'Slice', 'Conv2D', 'Fill']) {
    if (tf.getKernel(name, 'wasm') === undefined) {
      throw new Error(
        `installWasmConv2dBackpropFilter: the wasm kernel ${name} is not registered; import ` +
          '@tensorflow/tfjs-backend-wasm before installing the filter gradient',
      );
    }
  }
  tf.registerKernel({ kernelName: KERNEL_NAME, backendName: 'wasm', kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc });
  return true;
}
