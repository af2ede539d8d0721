/**
 * Figure 21 (and the samples of fig. 7 and 22) of "Sample weighting as an explanation for
 * mode collapse in generative adversarial networks": CAT 128² with Conv-6, DCGAN-bn-sn and
 * DCGAN-bn-sn with self-attention, NS against MM-nsat, FID on 5 000 samples. It gives the
 * CAT half of the evidence for C19: NS collapses early and MM-nsat trains.
 */
import { CAT_FACE_MARGIN } from '../../src/data/catLandmarks.ts';
import type { Experiment } from '../experiment.ts';
import { highResolutionVerdict } from '../image-datasets/collapse.ts';
import { createImageExperiment, type ImageExperimentDefinition, type ImageScaleSettings } from '../image-datasets/imageExperiment.ts';

export const CAT_GPU_SCALE: ImageScaleSettings = {
  networks: [
    { preset: 'conv-6', resolution: 128 },
    { preset: 'dcgan-bn-sn', resolution: 128 },
    { preset: 'dcgan-bn-sn-sa', resolution: 128 },
  ],
  variants: ['NS', 'MM-nsat'],
  seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  batchSize: 64,
  epochs: 300,
  evaluations: 30,
  evaluationSamples: 5000,
  referenceSamples: 5000,
  storedSamples: 16,
  note:
    'GPU scale: ten seeds per variant as in fig. 21, batch 64, 300 epochs over the CAT photos (the paper states no epoch count; ' +
    'this is the project\'s choice), 30 FID evaluations per run on 5 000 samples, the size the paper uses because the dataset is small. ' +
    `Images are the cat faces: each photo is cropped to the square ${CAT_FACE_MARGIN} times the longer side of its nine .cat landmarks' ` +
    'bounding box, centred on the box and kept inside the photo, then resized to 128² (no rotation to level the eyes). ' +
    'Photos without a usable .cat file are left out, and the preparation log counts them. ' +
    'There is no cpu scale: one DCGAN step at 128² takes seconds on 2 cores.',
};

// NOTE: the paper shows NS collapsing "early" on CAT without an epoch count; 20 epochs is a guessed floor for the rule.
export const CAT_MIN_EPOCHS = 20;

export const CAT_DEFINITION: ImageExperimentDefinition = {
  name: 'cat-collapse',
  figure: 'fig. 21',
  description: 'CAT 128² with Conv-6, DCGAN-bn-sn and DCGAN-bn-sn-sa, NS against MM-nsat: FID during training',
  claim: 'C19',
  dataset: 'cat',
  datasetTitle: 'CAT 128²',
  scales: { gpu: CAT_GPU_SCALE },
  minEpochs: CAT_MIN_EPOCHS,
  caseOf: (setup) => setup.preset,
  verdict: (runs, context) => highResolutionVerdict('CAT 128²', runs, context),
};

export const catCollapse: Experiment = createImageExperiment(CAT_DEFINITION);
