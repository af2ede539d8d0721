/**
 * Every experiment the suites run, in report order. Each experiment module adds one line.
 */
import type { Experiment } from './experiment.ts';

export const experiments: Experiment[] = [];
experiments.push((await import('./mnist-saturation/index.ts')).mnistSaturation);
experiments.push((await import('./mnist-coverage/index.ts')).mnistCoverage);
experiments.push((await import('./mnist-adam/index.ts')).mnistAdam);
experiments.push((await import('./mnist-variants/index.ts')).mnistVariants);
experiments.push((await import('./mnist-penalty/index.ts')).mnistPenalty);
experiments.push((await import('./ring/index.ts')).ringExperiment);
experiments.push((await import('./spiral/index.ts')).spiralExperiment);
experiments.push((await import('./cifar10/index.ts')).cifar10Collapse);
experiments.push((await import('./cat/index.ts')).catCollapse);
experiments.push((await import('./ffhq/index.ts')).ffhqCollapse);
