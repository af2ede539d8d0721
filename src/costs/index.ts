/**
 * GAN costs in tfjs: the registry, the interface every cost implements, and the building
 * blocks (per-sample costs, batch factors, stop-gradient, unit rescaling) for code that
 * composes its own.
 */
export type { CostOptions, GanCost, Reduction } from './types.ts';
export { costs, getCost, type CostFactory } from './registry.ts';
export {
  DEFAULT_REDUCTION,
  DEFAULT_UNIT_NORM,
  REDUCTIONS,
  resolveCostOptions,
  type ResolvedCostOptions,
} from './costOptions.ts';
export { stopGradient } from './stopGradient.ts';
export { globalNorm, parameterCount, rescaleToNorm } from './unitRescaling.ts';
export { generatorCost, type GeneratorCostFunction } from './generatorCosts.ts';
export {
  hingeDiscriminatorCost,
  leastSquaresDiscriminatorCost,
  logisticDiscriminatorCost,
  type DiscriminatorCostFunction,
} from './discriminatorCosts.ts';
export {
  hingeSampleCost,
  leastSquaresSampleCost,
  mmNsatExp2SampleCost,
  mmSampleCost,
  nsExp2SampleCost,
  nsExpHalfSampleCost,
  nsSampleCost,
} from './sampleCosts.ts';
export {
  importanceWeights,
  mmNsatAddFactor,
  mmNsatExp2Factor,
  mmNsatFactor,
  nsAddFactor,
  nsExp2Factor,
  nsExpHalfFactor,
} from './batchFactors.ts';
export { assertLogitBatch } from './logitBatch.ts';
