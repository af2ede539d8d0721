/**
 * Figure 8 (CIFAR-10 rows) of "Sample weighting as an explanation for mode collapse in
 * generative adversarial networks": Conv-4 and Conv-4-sn GANs on CIFAR-10 trained with NS,
 * MM, MM-nsat, MM-unit and NS-unit, with FID on InceptionV3 features during training. It
 * gives the evidence for C18: NS collapses on Conv-4 while MM-nsat stays stable, and with
 * spectral norm in D the two stay close. The runs also record D_JS^CD and a Fréchet
 * distance on the suite's CIFAR-10 classifier features, which the report shows beside FID
 * but the verdict does not use.
 */
import type { Experiment } from '../experiment.ts';
import { cifarCollapseVerdict } from '../image-datasets/collapse.ts';
import { createImageExperiment, IMAGE_VARIANTS, type ImageExperimentDefinition, type ImageScaleSettings } from '../image-datasets/imageExperiment.ts';

export const CIFAR10_GPU_SCALE: ImageScaleSettings = {
  networks: [
    { preset: 'conv-4', resolution: 32 },
    { preset: 'conv-4-sn', resolution: 32 },
  ],
  variants: IMAGE_VARIANTS.map((variant) => variant.label),
  seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  batchSize: 64,
  epochs: 200,
  evaluations: 20,
  evaluationSamples: 10000,
  referenceSamples: 50000,
  storedSamples: 64,
  note:
    'GPU scale: Conv-4 and Conv-4-sn (m = 32), 200 epochs of batch 64 (156 250 steps), ten seeds per variant as plotted in fig. 8 ' +
    '(not the twenty runs of fig. 18, which would double the 100 runs of about 156 000 steps each), 20 FID evaluations per run ' +
    'on 10 000 samples against the 50 000 training images. There is no cpu scale: a Conv-4 step with m = 32 takes an estimated 2 s on ' +
    'this project\'s 2-core reference machine, so one epoch would take about 26 minutes and the collapse needs tens of epochs.',
};

/** Fig. 8 trains 200 epochs; a shorter run cannot tell a late collapse from none. */
export const CIFAR10_MIN_EPOCHS = 200;

export const CIFAR10_DEFINITION: ImageExperimentDefinition = {
  name: 'cifar10-collapse',
  figure: 'fig. 8',
  description: 'CIFAR-10 Conv-4 and Conv-4-sn with NS, MM, MM-nsat, MM-unit and NS-unit: FID, D_JS^CD and a classifier Fréchet distance during training',
  claim: 'C18',
  dataset: 'cifar10',
  datasetTitle: 'CIFAR-10',
  scales: { gpu: CIFAR10_GPU_SCALE },
  minEpochs: CIFAR10_MIN_EPOCHS,
  caseOf: (setup) => setup.preset,
  verdict: cifarCollapseVerdict,
};

export const cifar10Collapse: Experiment = createImageExperiment(CIFAR10_DEFINITION);
