/**
 * Domain arbitraries shared by the theory properties, one per concept.
 */
import fc from 'fast-check';
import { COST_FAMILIES, parseCostName } from '../src/theory/costNames.ts';

const PARAMETERISED_NAMES: Record<string, (a: number) => string> = {
  'ns+mm': (a) => `ns+mm(${a})`,
  'ns+mm-nsat': (a) => `ns+mm-nsat(${a})`,
  'ns-add': (a) => `ns-add-${a}`,
  'mm-nsat-add': (a) => `mm-nsat-add-${a}`,
};

/** Constants tried for each parameterised family: both ends and a middle value. */
const LINEAR_CONSTANTS = [0, 0.25, 0.5, 0.9, 1];
const ADDITIVE_CONSTANTS = [0, 0.1, 1, 3];

/** Lists every cost family, the parameterised ones with several constants a. */
export function everyCostName(): string[] {
  const names: string[] = [];
  for (const family of COST_FAMILIES) {
    const named = PARAMETERISED_NAMES[family];
    if (!named) {
      names.push(family);
      continue;
    }
    const constants = family === 'ns+mm' || family === 'ns+mm-nsat' ? LINEAR_CONSTANTS : ADDITIVE_CONSTANTS;
    for (const a of constants) names.push(named(a));
  }
  return names;
}

/** A cost name of any family, with a random constant for the parameterised ones. */
export const costNameArbitrary: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...COST_FAMILIES), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }))
  .map(([family, linear, additive]) => {
    const named = PARAMETERISED_NAMES[family];
    if (!named) return family;
    return named(family === 'ns+mm' || family === 'ns+mm-nsat' ? linear : additive);
  });

/** A string that is not a cost name. */
export const unknownCostNameArbitrary: fc.Arbitrary<string> = fc.string({ maxLength: 12 }).filter((name) => {
  try {
    parseCostName(name);
    return false;
  } catch {
    return true;
  }
});

/** A discriminator logit D_l across the range where float64 keeps σ(D_l) and 1 − σ(D_l) apart from 0 and 1. */
export const logitArbitrary = fc.double({ min: -20, max: 20, noNaN: true });

function sigmoid(logit: number): number {
  return 1 / (1 + Math.exp(-logit));
}

/** A probability D_p in (0, 1), drawn through its logit so both edges are reached (≈ 2e−9 from them). */
export const probabilityArbitrary = logitArbitrary.map(sigmoid);

/** A batch of D_p values, 1 to 32 samples. */
export const dpBatchArbitrary = fc.array(probabilityArbitrary, { minLength: 1, maxLength: 32 });

/** A batch of N ≥ 1 equal D_p values. */
export const equalDpBatchArbitrary = fc
  .tuple(probabilityArbitrary, fc.integer({ min: 1, max: 32 }))
  .map(([dp, n]) => new Array<number>(n).fill(dp));

/** A batch of D_p values with at least two distinct members. */
export const unequalDpBatchArbitrary = dpBatchArbitrary.filter(
  (dps) => dps.length >= 2 && Math.max(...dps) > Math.min(...dps),
);

function normalise(weights: number[]): number[] {
  const total = weights.reduce((sum, value) => sum + value, 0);
  return weights.map((value) => value / total);
}

/**
 * Builds an arbitrary of probability vectors with `minLength` to `maxLength` entries. With
 * `positive`, every entry is at least about 0.01/length, so logarithms stay moderate.
 */
export function distributionArbitrary(
  minLength: number,
  maxLength: number,
  options: { positive?: boolean } = {},
): fc.Arbitrary<number[]> {
  const entry = options.positive ? fc.double({ min: 0.01, max: 1, noNaN: true }) : fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }));
  return fc
    .array(entry, { minLength, maxLength })
    .filter((weights) => weights.reduce((sum, value) => sum + value, 0) > 1e-3)
    .map(normalise);
}

/** Builds an arbitrary of two probability vectors over the same points. */
export function distributionPairArbitrary(
  minLength: number,
  maxLength: number,
  options: { positive?: boolean } = {},
): fc.Arbitrary<[number[], number[]]> {
  return fc.integer({ min: minLength, max: maxLength }).chain((length) =>
    fc.tuple(distributionArbitrary(length, length, options), distributionArbitrary(length, length, options)),
  );
}

/** Densities r and g at one point, not both 0, with 0 itself reachable. */
export const densityPairArbitrary = fc
  .tuple(
    fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e3, noNaN: true })),
    fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e3, noNaN: true })),
  )
  .filter(([r, g]) => r + g > 0);

/** A value that is not a probability: negative, above 1 or not finite. */
export const nonProbabilityArbitrary = fc.oneof(
  fc.double({ min: -1e6, max: -1e-9, noNaN: true }),
  fc.double({ min: 1 + 1e-9, max: 1e6, noNaN: true }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity),
);

/** A value outside Adam's β range [0, 1). */
export const invalidBetaArbitrary = fc.oneof(
  fc.double({ min: -10, max: -1e-12, noNaN: true }),
  fc.double({ min: 1, max: 10, noNaN: true }),
  fc.constantFrom(Number.NaN, Infinity),
);
