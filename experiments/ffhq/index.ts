/**
 * Figure 23 of "Sample weighting as an explanation for mode collapse in generative
 * adversarial networks": FFHQ at 32² to 512² with the FFHQ conv net (nine layers at 512²),
 * NS against MM-nsat, three runs each, FID on 50 000 samples. It gives the FFHQ half of
 * the evidence for C19: training collapses for NS at every resolution, MM-nsat is stable.
 */
import type { Experiment } from '../experiment.ts';
import { highResolutionVerdict } from '../image-datasets/collapse.ts';
import { createImageExperiment, type ImageExperimentDefinition, type ImageScaleSettings } from '../image-datasets/imageExperiment.ts';

export const FFHQ_RESOLUTIONS = [32, 64, 128, 256, 512] as const;

export const FFHQ_GPU_SCALE: ImageScaleSettings = {
  networks: FFHQ_RESOLUTIONS.map((resolution) => ({ preset: 'conv-ffhq' as const, resolution })),
  variants: ['NS', 'MM-nsat'],
  seeds: [1, 2, 3],
  batchSize: 64,
  epochs: 1000,
  evaluations: 20,
  evaluationSamples: 50000,
  referenceSamples: 50000,
  storedSamples: 16,
  note:
    'GPU scale: the FFHQ conv net (m = 32) at 32², 64², 128², 256² and 512², three seeds per variant, 1000 epochs of batch 64 ' +
    '(about 1.09 million steps per run) as in the paper, 20 FID evaluations per run on 50 000 samples against 50 000 real images. ' +
    'The images are decoded once per resolution into a prepared file (about 55 GB at 512²). There is no cpu scale: these runs need a GPU for days.',
};

// NOTE: the paper shows NS collapsing early on FFHQ without an epoch count; 20 epochs is a guessed floor for the rule.
export const FFHQ_MIN_EPOCHS = 20;

export const FFHQ_DEFINITION: ImageExperimentDefinition = {
  name: 'ffhq-collapse',
  figure: 'fig. 23',
  description: 'FFHQ 32² to 512² with the FFHQ conv net, NS against MM-nsat: FID during training',
  claim: 'C19',
  dataset: 'ffhq',
  datasetTitle: 'FFHQ',
  scales: { gpu: FFHQ_GPU_SCALE },
  minEpochs: FFHQ_MIN_EPOCHS,
  caseOf: (setup) => `${setup.resolution}²`,
  verdict: (runs, context) => highResolutionVerdict('FFHQ', runs, context),
};

export const ffhqCollapse: Experiment = createImageExperiment(FFHQ_DEFINITION);
