/**
 * InceptionV3 pool features for FID (Heusel et al. 2017), from a TensorFlow.js graph model
 * in a local folder: `model.json` and its weight shards, for instance Keras's
 * `InceptionV3(include_top=False, pooling='avg')` converted with tensorflowjs_converter.
 * Nothing is downloaded. Without the folder, `loadInception` returns undefined and
 * `inceptionNotRunReason` explains why, so a report can show FID as not run.
 *
 * Images in the project's range [−1, 1] are resized bilinearly to 299×299 and mapped to the
 * model's input range, [−1, 1] by default as Keras's InceptionV3 expects. A model that
 * expects another range declares it in model.json as `userDefinedMetadata.inputRange`,
 * e.g. [0, 255]. One-channel images are repeated to RGB. A spatial output [n, h, w, c] is
 * averaged over h and w, which is InceptionV3's pool_3 layer.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** InceptionV3's input side. */
export const INCEPTION_INPUT_SIZE = 299;
/** Width of InceptionV3's pool_3 features. */
export const INCEPTION_FEATURES = 2048;
export const INCEPTION_MODEL_FILE = 'model.json';

export interface FeatureNetwork {
  /** Names the network and its source, for the report next to every distance. */
  name: string;
  featureDimension: number;
  /** Features [n, featureDimension] of images [n, h, w, 1 or 3] in [−1, 1]. */
  features(images: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

export interface InceptionOptions {
  /** Width the model's output must have; default 2048. */
  expectedFeatureDimension?: number;
  /** The model's input range; default userDefinedMetadata.inputRange of model.json, else [−1, 1]. */
  inputRange?: [number, number];
}

interface WeightGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns why FID cannot run with the model folder `dir`, or undefined when its model.json
 * is there (broken shards are reported by `loadInception` as errors).
 */
export async function inceptionNotRunReason(dir: string): Promise<string | undefined> {
  if (!(await exists(dir))) {
    return `FID not run: the InceptionV3 model folder ${dir} does not exist (it needs a TensorFlow.js graph model: ${INCEPTION_MODEL_FILE} and its weight shards)`;
  }
  if (!(await exists(path.join(dir, INCEPTION_MODEL_FILE)))) {
    return `FID not run: ${path.join(dir, INCEPTION_MODEL_FILE)} not found (the folder needs a TensorFlow.js graph model of InceptionV3)`;
  }
  return undefined;
}

/** Creates an IOHandler that reads model.json and its shards from the file system, in manifest order. */
export function fileSystemModelHandler(modelJsonPath: string): tf.io.IOHandler {
  const dir = path.dirname(modelJsonPath);
  return {
    load: async () => {
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        throw new Error(`${modelJsonPath} could not be read as JSON: ${(error as Error).message}`);
      }
      if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
        throw new Error(`${modelJsonPath} is not a TensorFlow.js model: modelTopology or weightsManifest is missing`);
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest as WeightGroup[]) {
          specs.push(...group.weights);
          for (const shard of group.paths) {
            const file = path.join(dir, shard);
            let bytes: Buffer;
            try {
              bytes = await readFile(file);
            } catch (error) {
              throw new Error(`weight shard ${file} of ${modelJsonPath} could not be read: ${(error as Error).message}`);
            }
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

function declaredInputRange(modelJson: { userDefinedMetadata?: { inputRange?: unknown } }): [number, number] | undefined {
  const range = modelJson.userDefinedMetadata?.inputRange;
  if (range === undefined) return undefined;
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || range[0] >= range[1]) {
    throw new RangeError(`model.json: userDefinedMetadata.inputRange must be [low, high] with low < high, received ${JSON.stringify(range)}`);
  }
  return [range[0], range[1]];
}

/**
 * Loads the InceptionV3 graph model in `dir` as a feature network, or returns undefined
 * when the folder or its model.json is missing (see `inceptionNotRunReason`).
 */
export async function loadInception(dir: string, options: InceptionOptions = {}): Promise<FeatureNetwork | undefined> {
  if ((await inceptionNotRunReason(dir)) !== undefined) return undefined;
  const modelJsonPath = path.join(dir, INCEPTION_MODEL_FILE);
  const expected = options.expectedFeatureDimension ?? INCEPTION_FEATURES;
  const metadata = JSON.parse(await readFile(modelJsonPath, 'utf8')) as { userDefinedMetadata?: { inputRange?: unknown } };
  const [low, high] = options.inputRange ?? declaredInputRange(metadata) ?? [-1, 1];

  let model: tf.GraphModel;
  try {
    model = await tf.loadGraphModel(fileSystemModelHandler(modelJsonPath));
  } catch (error) {
    throw new Error(`loading the InceptionV3 model ${modelJsonPath} failed: ${(error as Error).message}`);
  }
  const declared = model.outputs[0]?.shape;
  const declaredWidth = declared?.[declared.length - 1];
  if (declaredWidth !== undefined && declaredWidth > 0 && declaredWidth !== expected) {
    model.dispose();
    throw new RangeError(`${modelJsonPath}: expected ${expected} pool features, the model's output has ${declaredWidth}`);
  }

  const features = (images: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      const channels = images.shape[3];
      if (images.rank !== 4 || (channels !== 1 && channels !== 3)) {
        throw new RangeError(`InceptionV3 features: images must have shape [n, h, w, 1 or 3], received [${images.shape.join(', ')}]`);
      }
      const rgb = channels === 1 ? tf.tile(images, [1, 1, 1, 3]) : images;
      const resized = tf.image.resizeBilinear(rgb, [INCEPTION_INPUT_SIZE, INCEPTION_INPUT_SIZE], false, true);
      // [−1, 1] → [low, high]: low + (x + 1)/2 · (high − low).
      const scaled = resized.add(1).mul((high - low) / 2).add(low);
      let output = model.predict(scaled) as tf.Tensor;
      if (Array.isArray(output)) output = output[0];
      if (output.rank === 4) output = output.mean([1, 2]);
      if (output.rank !== 2 || output.shape[1] !== expected) {
        throw new RangeError(`${modelJsonPath}: expected ${expected} pool features per image, the model returned shape [${output.shape.join(', ')}]`);
      }
      return output as tf.Tensor2D;
    });

  return {
    name: `InceptionV3 pool features (${expected}) from ${modelJsonPath}`,
    featureDimension: expected,
    features,
    dispose: () => model.dispose(),
  };
}

/** Computes the features [n, d] of many images, `batchSize` at a time so that the 299×299 copies stay small. */
export async function featuresInBatches(network: FeatureNetwork, images: tf.Tensor4D, batchSize = 50): Promise<Float32Array> {
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`featuresInBatches: batchSize must be a positive integer, received ${batchSize}`);
  }
  const count = images.shape[0];
  const out = new Float32Array(count * network.featureDimension);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const batch = tf.tidy(() => network.features(images.slice([start, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D));
    out.set(await batch.data(), start * network.featureDimension);
    batch.dispose();
  }
  return out;
}
