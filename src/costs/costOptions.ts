/**
 * Defaults and checks for CostOptions, resolved once when a cost is built so that every
 * call of the cost uses the same checked values.
 */
import { RESCALE_EPSILON } from '../theory/scalingFactor.ts';
import { assertFiniteNumber } from '../theory/validate.ts';
import type { CostOptions, Reduction } from './types.ts';

export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum'];

/** Averaging over the batch keeps the gradient's scale independent of the batch size. */
export const DEFAULT_REDUCTION: Reduction = 'mean';

/** N_θ of mm-unit and ns-unit when none is given. */
export const DEFAULT_UNIT_NORM = 1;

export interface ResolvedCostOptions {
  reduction: Reduction;
  rescaleEpsilon: number;
  unitNorm: number | 'parameter-count';
}

/** Fills in the defaults and throws on a reduction, ε_R or N_θ that no cost can use. */
export function resolveCostOptions(options: CostOptions = {}): ResolvedCostOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`cost options: options must be an object, received ${String(options)}`);
  }
  const reduction = options.reduction ?? DEFAULT_REDUCTION;
  if (!REDUCTIONS.includes(reduction)) {
    throw new RangeError(
      `cost options: reduction must be one of ${REDUCTIONS.join(', ')}, received "${String(reduction)}"`,
    );
  }

  const rescaleEpsilon = options.rescaleEpsilon ?? RESCALE_EPSILON;
  assertFiniteNumber('cost options', 'rescaleEpsilon', rescaleEpsilon);
  if (rescaleEpsilon < 0) {
    throw new RangeError(
      `cost options: rescaleEpsilon must be ≥ 0, received ${rescaleEpsilon}; the default is ${RESCALE_EPSILON}`,
    );
  }

  const unitNorm = options.unitNorm ?? DEFAULT_UNIT_NORM;
  if (unitNorm !== 'parameter-count') {
    assertFiniteNumber('cost options', 'unitNorm', unitNorm);
    if (unitNorm <= 0) {
      throw new RangeError(
        `cost options: unitNorm must be a number > 0 or 'parameter-count', received ${unitNorm}`,
      );
    }
  }
  return { reduction, rescaleEpsilon, unitNorm };
}
