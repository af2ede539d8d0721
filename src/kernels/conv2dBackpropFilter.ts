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
 * `conv2dTranspose`, is a scalar loop (about 1 GFLOP/s on one core). The replacement splits
 * ∂L/∂x by output phase: rows r = s_h·q + φ receive only the taps i ≡ φ + top (mod s_h),
 * so each of the s_h·s_w phases is a stride-1 convolution of dy with a few taps of the
 * filter, rotated by 180° and with its channel axes swapped. The phases are then
 * interleaved. No multiplication by an inserted zero is spent, and XNNPACK runs each phase.
 *
 * Both are compositions of existing wasm kernels (Transpose, Reshape, PadV2, Slice, Concat,
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
    throw new Error(`wasm convolution gradients: the wasm backend has no ${name} kernel registered`);
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

/** One output phase r = s·q + φ along one axis of the polyphase input gradient. */
interface Phase {
  /** First filter tap of the phase, ρ = (φ + lead padding) mod s. */
  firstTap: number;
  /** Taps ρ, ρ + s, … below the filter size; 0 when the filter is shorter than ρ + 1. */
  taps: number;
  /** Zeros to put in front of dy (negative: entries of dy to drop). */
  lead: number;
  /** Zeros to put after dy (negative: entries to drop). */
  trail: number;
  /** Outputs of the phase, ⌈(inSize − φ)/s⌉. */
  outputs: number;
}

/**
 * Plans phase φ of one axis. With r = s·q + φ the input gradient is
 * dx[r] = Σ_t dy[q + c − t]·w[ρ + s·t], where c = (φ + pad − ρ)/s, which is a stride-1
 * correlation of dy with the taps ρ, ρ + s, … in reverse order, shifted by taps − 1 − c.
 */
function planPhase(phase: number, stride: number, pad: number, filterSize: number, inSize: number, outSize: number): Phase {
  const firstTap = (phase + pad) % stride;
  const taps = firstTap < filterSize ? Math.ceil((filterSize - firstTap) / stride) : 0;
  const shift = (phase + pad - firstTap) / stride;
  const outputs = phase < inSize ? Math.ceil((inSize - phase) / stride) : 0;
  const lead = taps - 1 - shift;
  return { firstTap, taps, lead, trail: outputs + taps - 1 - lead - outSize, outputs };
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
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  // Every phase is padded to the outputs of phase 0, the largest, before interleaving.
  const rowsPerPhase = Math.ceil(inHeight / strideHeight);
  const columnsPerPhase = Math.ceil(inWidth / strideWidth);

  const temporaries: TensorInfo[] = [];
  const keep = (result: TensorInfo) => {
    temporaries.push(result);
    return result;
  };
  const zeros = (shape: number[]) => keep(runWasmKernel('Fill', backend, {}, { shape, value: 0, dtype: 'float32' }));
  let tapTable: TensorInfo;

  /** ∂L/∂x at rows s_h·q + φh and columns s_w·q' + φw, padded to [b, rowsPerPhase, columnsPerPhase, ch]. */
  const phaseGradient = (rows: Phase, columns: Phase): TensorInfo => {
    if (rows.taps === 0 || columns.taps === 0 || rows.outputs === 0 || columns.outputs === 0) {
      return zeros([batchSize, rowsPerPhase, columnsPerPhase, inChannels]);
    }
    const firstRow = Math.max(-rows.lead, 0);
    const firstColumn = Math.max(-columns.lead, 0);
    const keptRows = outHeight - firstRow + Math.min(rows.trail, 0);
    const keptColumns = outWidth - firstColumn + Math.min(columns.trail, 0);
    if (keptRows <= 0 || keptColumns <= 0) return zeros([batchSize, rowsPerPhase, columnsPerPhase, inChannels]);
    let source = dy;
    if (firstRow > 0 || firstColumn > 0 || keptRows < outHeight || keptColumns < outWidth) {
      source = keep(runWasmKernel('Slice', backend, { x: dy }, { begin: [0, firstRow, firstColumn, 0], size: [batchSize, keptRows, keptColumns, outChannels] }));
    }

    // The phase's taps in reverse order as a filter [T_h, T_w, k, ch]. Each tap is one
    // contiguous row of the tap table, and wasm's StridedSlice and Reverse are slow.
    const rowsOfTaps: TensorInfo[] = [];
    for (let u = 0; u < rows.taps; u++) {
      for (let v = 0; v < columns.taps; v++) {
        const tap = (rows.firstTap + strideHeight * (rows.taps - 1 - u)) * filterWidth + columns.firstTap + strideWidth * (columns.taps - 1 - v);
        rowsOfTaps.push(keep(runWasmKernel('Slice', backend, { x: tapTable }, { begin: [tap, 0], size: [1, outChannels * inChannels] })));
      }
    }
    const joinedTaps = rowsOfTaps.length === 1 ? rowsOfTaps[0] : keep(runWasmKernel('Concat', backend, rowsOfTaps as unknown as Record<string, TensorInfo>, { axis: 0 }));
    const flipped = keep(runWasmKernel('Reshape', backend, { x: joinedTaps }, { shape: [rows.taps, columns.taps, outChannels, inChannels] }));

    const gradient = keep(
      runWasmKernel('Conv2D', backend, { x: source, filter: flipped }, {
        strides: [1, 1],
        pad: [[0, 0], [Math.max(rows.lead, 0), Math.max(rows.trail, 0)], [Math.max(columns.lead, 0), Math.max(columns.trail, 0)], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      }),
    );
    if (rows.outputs === rowsPerPhase && columns.outputs === columnsPerPhase) return gradient;
    return keep(
      runWasmKernel('PadV2', backend, { x: gradient }, {
        paddings: [[0, 0], [0, rowsPerPhase - rows.outputs], [0, columnsPerPhase - columns.outputs], [0, 0]],
        constantValue: 0,
      }),
    );
  };

  try {
    // The filter with in and out channels swapped, one row per tap: [k_h·k_w, k·ch].
    const swapped = keep(runWasmKernel('Transpose', backend, { x: filter }, { perm: [0, 1, 3, 2] }));
    tapTable = keep(runWasmKernel('Reshape', backend, { x: swapped }, { shape: [filterHeight * filterWidth, outChannels * inChannels] }));

    const rowPhases = Array.from({ length: strideHeight }, (_, phase) => planPhase(phase, strideHeight, top, filterHeight, inHeight, outHeight));
    const columnPhases = Array.from({ length: strideWidth }, (_, phase) => planPhase(phase, strideWidth, left, filterWidth, inWidth, outWidth));

    // Interleave the column phases of each row phase: [b·R·C, 1, ch] × s_w → [b, R, C·s_w, ch].
    const rowsOfPhases = rowPhases.map((rows) => {
      const parts = columnPhases.map((columns) =>
        keep(runWasmKernel('Reshape', backend, { x: phaseGradient(rows, columns) }, { shape: [batchSize * rowsPerPhase * columnsPerPhase, 1, inChannels] })),
      );
      const joined = parts.length === 1 ? parts[0] : keep(runWasmKernel('Concat', backend, parts as unknown as Record<string, TensorInfo>, { axis: 1 }));
      return keep(runWasmKernel('Reshape', backend, { x: joined }, { shape: [batchSize, rowsPerPhase, 1, columnsPerPhase * strideWidth * inChannels] }));
    });
    // Interleave the row phases: [b, R, 1, C·s_w·ch] × s_h → [b, R·s_h, C·s_w, ch].
    const joined = rowsOfPhases.length === 1 ? rowsOfPhases[0] : keep(runWasmKernel('Concat', backend, rowsOfPhases as unknown as Record<string, TensorInfo>, { axis: 2 }));
    const interleaved = keep(runWasmKernel('Reshape', backend, { x: joined }, { shape: [batchSize, rowsPerPhase * strideHeight, columnsPerPhase * strideWidth, inChannels] }));
    return runWasmKernel('Slice', backend, { x: interleaved }, { begin: [0, 0, 0, 0], size: [batchSize, inHeight, inWidth, inChannels] });
  } finally {
    for (const temporary of temporaries) backend.disposeData(temporary.dataId);
  }
}

const REQUIRED_KERNELS = ['Transpose', 'Reshape', 'PadV2', 'Slice', 'Concat', 'Conv2D', 'Fill'];

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
