/**
 * The cost registry: one factory per cost family of src/theory/costNames.ts, and `getCost`,
 * which builds a cost from its name as written on the command line (`mm-nsat`,
 * `ns+mm(0.25)`, `ns-add-1`).
 */
import { COST_FAMILIES, parseCostName, type CostFamily, type CostSpec } from '../theory/costNames.ts';
import { resolveCostOptions, type ResolvedCostOptions } from './costOptions.ts';
import {
  hingeDiscriminatorCost,
  leastSquaresDiscriminatorCost,
  logisticDiscriminatorCost,
  type DiscriminatorCostFunction,
} from './discriminatorCosts.ts';
import { generatorCost } from './generatorCosts.ts';
import type { CostOptions, GanCost } from './types.ts';
import { parameterCount, rescaleToNorm } from './unitRescaling.ts';

/** Builds a GanCost from a parsed cost name and the cost options. */
export type CostFactory = (spec: CostSpec, options?: CostOptions) => GanCost;

/** Families whose constant a weights a linear combination, so a ∈ [0, 1]. */
const LINEAR_FAMILIES: readonly CostFamily[] = ['ns+mm', 'ns+mm-nsat'];
/** Families that add a to the scaling factor, so a ≥ 0 keeps every factor positive. */
const ADDITIVE_FAMILIES: readonly CostFamily[] = ['ns-add', 'mm-nsat-add'];

/**
 * Checks a spec handed to a factory directly, with the rules parseCostName applies to a
 * name: the family matches the factory, and a is present exactly for the parameterised
 * families and lies in their range.
 */
function assertSpec(family: CostFamily, spec: CostSpec): void {
  if (typeof spec !== 'object' || spec === null) {
    throw new TypeError(`costs.${family}: spec must be a CostSpec object, received ${String(spec)}`);
  }
  if (spec.family !== family) {
    throw new RangeError(`costs.${family}: spec.family must be "${family}", received "${String(spec.family)}"`);
  }
  const linear = LINEAR_FAMILIES.includes(family);
  const parameterised = linear || ADDITIVE_FAMILIES.includes(family);
  if (!parameterised) {
    if (spec.a !== undefined) {
      throw new RangeError(`costs.${family}: "${family}" takes no constant a, received a = ${spec.a}`);
    }
    return;
  }
  const a = spec.a;
  const valid = typeof a === 'number' && Number.isFinite(a) && a >= 0 && (!linear || a <= 1);
  if (!valid) {
    const expected = linear ? 'a number in [0, 1]' : 'a number ≥ 0';
    throw new RangeError(`costs.${family}: spec.a must be ${expected}, received ${String(a)}`);
  }
}

function discriminatorFor(family: CostFamily, name: string, options: ResolvedCostOptions): DiscriminatorCostFunction {
  if (family === 'hinge') return hingeDiscriminatorCost(name, options.reduction);
  if (family === 'ls') return leastSquaresDiscriminatorCost(name, options.reduction);
  return logisticDiscriminatorCost(name, options.reduction);
}

function buildCost(family: CostFamily, spec: CostSpec, options?: CostOptions): GanCost {
  assertSpec(family, spec);
  const resolved = resolveCostOptions(options);
  const name = spec.name ?? family;
  const cost: GanCost = {
    name,
    family,
    generator: generatorCost({ ...spec, name }, resolved),
    discriminator: discriminatorFor(family, name, resolved),
  };
  if (spec.a !== undefined) cost.a = spec.a;
  if (family === 'mm-unit' || family === 'ns-unit') {
    cost.transformGeneratorGradients = (gradients) => {
      const norm = resolved.unitNorm === 'parameter-count' ? parameterCount(gradients) : resolved.unitNorm;
      return rescaleToNorm(gradients, norm, resolved.rescaleEpsilon);
    };
  }
  return cost;
}

/** One factory per cost family, keyed by the family's name. */
export const costs = Object.fromEntries(
  COST_FAMILIES.map((family) => [
    family,
    (spec: CostSpec, options?: CostOptions) => buildCost(family, spec, options),
  ]),
) as Record<CostFamily, CostFactory>;

/**
 * Builds the cost called `name`. An unknown name, or a constant a out of its family's
 * range, throws a RangeError that names the input and lists the valid names.
 */
export function getCost(name: string, options: CostOptions = {}): GanCost {
  const spec = parseCostName(name);
  return costs[spec.family](spec, options);
}
