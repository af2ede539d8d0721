/**
 * The library API of gan-dynamics, for scripts and notebooks. The theory (pure functions)
 * and the costs (tfjs) are the stable core; the training engine, data loaders and metrics
 * follow below them.
 */
export * from './theory/index.ts';
export {
  costs,
  getCost,
  stopGradient,
  rescaleToNorm,
  globalNorm,
  generatorCost,
  type CostFactory,
  type CostOptions,
  type GanCost,
  type Reduction,
} from './costs/index.ts';
export { selectBackend, BACKEND_NAMES, type BackendInfo, type BackendName } from './backend.ts';
export type * from './figures.ts';
export { CLAIM_IDS, CLAIM_TITLES, type ClaimOutcome, type Verdict } from './claims/claim.ts';
