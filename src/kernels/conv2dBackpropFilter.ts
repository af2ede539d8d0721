/**
 * Gradients of a 2-D convolution for tfjs-backend-wasm 4.22, built from its fast kernels.
 *
 * The filter gradient: wasm registers no `Conv2DBackpropFilter` kernel, so neither `conv2d`
 * nor `conv2dTranspose` can be differentiated with respect to its filter and no
 * convolutional network trains on wasm. For y = x ⋆ w with strides (s_h, s_w) and leading
 * padding (top, left),
 *
 *   ∂L/∂w[i, j, c, k] = Σ_{b, p, q} x[b, p·s_h + i − top, q·s_w + j − left, c] · dy[b, p, q, k],
 *
 * which is itself a stride-1 convolution: the input is x with the batch axis moved to the
 * channel axis ([c, H, W, b]) and the filter is dy moved to [p, q, b, k] and dilated by the
 * strides. Its output [c, i, j, k] is transposed to the filter layout [i, j, c, k].
 *
 * The input gradient: wasm's `Conv2DBackpropInput`, which is also the forward pass of
 * `conv2dTranspose`, is a scalar loop (about 1 GFLOP/s on one core). The replacement is
 *
 *   ∂L/∂x[b, r, c', ch] = Σ_{i, j, k} U[b, r + i − (k_h − 1 − top), c' + j − (k_w − 1 − left), k] · w[k_h − 1 − i, k_w − 1 − j, ch, k],
 *
 * with U = dy with s − 1 zeros inserted after every row and column: a stride-1
 * convolution with the filter rotated by 180° and its channel axes swapped. At stride 2 it
 * multiplies 4× as many numbers, three quarters of them zeros, but XNNPACK runs them far
 * faster than the scalar loop.
 *
 * Both are compositions of existing wasm kernels (Transpose, Reshape, PadV2, Slice, Reverse,
 * Conv2D, Fill), so the products run in XNNPACK.
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

interface Conv2dBackpropInputAttrs extends Omit<Conv2dBackpropFilterAttrs, 'filterShape'> {
  inputShape: [number, number, number, number];
}

/** Inserts `stride − 1` zeros after every entry of axis 1 of a 4-D tensor [a, n, m, c]. */
function insertZeros(x: TensorInfo, stride: number, backend: WasmBackend, temporaries: TensorInfo[]): TensorInfo {
  if (stride === 1) return x;
  const [a, n, m, c] = x.shape;
  const split = runWasmKernel('Reshape', backend, { x }, { shape: [a, n, 1, m * c] });
  temporaries.push(split);
  const padded = runWasmKernel('PadV2', backend, { x: split }, { paddings: [[0, 0], [0, 0], [0, stride - 1], [0, 0]], constantValue: 0 });
  temporaries.push(padded);
  const merged = runWasmKernel('Reshape', backend, { x: padded }, { shape: [a, n * stride, m, c] });
  temporaries.push(merged);
  return merged;
}

function conv2dBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { dy, filter } = args.inputs as unknown as { dy: TensorInfo; filter: TensorInfo };
  const backend = args.backend as unknown as WasmBackend;
  const attrs = args.attrs as unknown as Conv2dBackpropInputAttrs;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`conv2dBackpropInput: the wasm kernel supports dataFormat "NHWC" only, received "${attrs.dataFormat}"`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;

  const temporaries: TensorInfo[] = [];
  try {
    // U: dy with zeros between rows and between columns, [b, outHeight·s_h, outWidth·s_w, k].
    const rowsSpread = insertZeros(dy, strideHeight, backend, temporaries);
    let spread = rowsSpread;
    if (strideWidth > 1) {
      const columnsFirst = runWasmKernel('Transpose', backend, { x: rowsSpread }, { perm: [0, 2, 1, 3] });
      temporaries.push(columnsFirst);
      const columnsSpread = insertZeros(columnsFirst, strideWidth, backend, temporaries);
      spread = runWasmKernel('Transpose', backend, { x: columnsSpread }, { perm: [0, 2, 1, 3] });
      temporaries.push(spread);
    }

    // Row r of ∂L/∂x reads rows r − leadRows … r − leadRows + k_h − 1 of U, so U needs
    // leadRows rows of zeros in front and enough behind for inHeight outputs. A negative
    // amount crops U instead: those rows only reach outputs outside x.
    const leadRows = filterHeight - 1 - top;
    const leadColumns = filterWidth - 1 - left;
    const trailRows = inHeight + filterHeight - 1 - leadRows - outHeight * strideHeight;
    const trailColumns = inWidth + filterWidth - 1 - leadColumns - outWidth * strideWidth;
    const firstRow = Math.max(-leadRows, 0);
    const firstColumn = Math.max(-leadColumns, 0);
    const keptRows = outHeight * strideHeight - firstRow + Math.min(trailRows, 0);
    const keptColumns = outWidth * strideWidth - firstColumn + Math.min(trailColumns, 0);
    if (keptRows <= 0 || keptColumns <= 0) {
      // No entry of dy reaches x (possible with numeric pads larger than the filter).
      return runWasmKernel('Fill', backend, {}, { shape: attrs.inputShape, value: 0, dtype: 'float32' });
    }
    if (firstRow > 0 || firstColumn > 0 || keptRows < spread.shape[1] || keptColumns < spread.shape[2]) {
      spread = runWasmKernel('Slice', backend, { x: spread }, { begin: [0, firstRow, firstColumn, 0], size: [batchSize, keptRows, keptColumns, outChannels] });
      temporaries.push(spread);
    }

    // w rotated by 180° with in and out channels swapped: [k_h, k_w, k, ch].
    const rotated = runWasmKernel('Reverse', backend, { x: filter }, { dims: [0, 1] });
    temporaries.push(rotated);
    const flipped = runWasmKernel('Transpose', backend, { x: rotated }, { perm: [0, 1, 3, 2] });
    temporaries.push(flipped);

    return runWasmKernel(
      'Conv2D',
      backend,
      { x: spread, filter: flipped },
      {
        strides: [1, 1],
        pad: [[0, 0], [Math.max(leadRows, 0), Math.max(trailRows, 0)], [Math.max(leadColumns, 0), Math.max(trailColumns, 0)], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      },
    );
  } finally {
    for (const temporary of temporaries) {
      if (temporary !== dy) backend.disposeData(temporary.dataId);
    }
  }
}

const REQUIRED_KERNELS = ['Transpose', 'Reshape', 'PadV2', 'Slice', 'Reverse', 'Conv2D', 'Fill'];

/** Marks the input-gradient kernel installed here, so that installing twice replaces it once. */
const REPLACEMENT = Symbol('conv2dBackpropInput replacement');

/**
 * Registers `Conv2DBackpropFilter` for the wasm backend and replaces its scalar
 * `Conv2DBackpropInput`, so that conv2d and conv2dTranspose train there at XNNPACK speed.
 * Call it after importing `@tensorflow/tfjs-backend-wasm`. Returns true when it installed
 * anything and false when both kernels were already in place (calling twice is safe).
 * Throws when the wasm backend's own kernels are missing, i.e. the package was never imported.
 */
export function installWasmConvGradients(): boolean {
  for (const name of REQUIRED_KERNELS) {
    if (tf.getKernel(name, 'wasm') === undefined) {
      throw new Error(
        `installWasmConvGradients: the wasm kernel ${name} is not registered; import ` +
          '@tensorflow/tfjs-backend-wasm before installing the convolution gradients',
      );
    }
  }
  let installed = false;
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc });
    installed = true;
  }
  const current = tf.getKernel('Conv2DBackpropInput', 'wasm') as (tf.KernelConfig & { [REPLACEMENT]?: true }) | undefined;
  if (current?.[REPLACEMENT] === undefined) {
    if (current !== undefined) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    const replacement = { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc, [REPLACEMENT]: true as const };
    tf.registerKernel(replacement);
    installed = true;
  }
  return installed;
}
