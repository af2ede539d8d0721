/**
 * Claim C9: the class-distribution divergence (equation 12) is the Jensen–Shannon
 * divergence in bits, lies in [0, 1], and is ≈ 0.758 for one class against ten balanced.
 */
import fc from 'fast-check';
import type { ClaimProperty } from './claimProperty.ts';
import { distributionArbitrary, distributionPairArbitrary, nonProbabilityArbitrary } from './arbitraries.ts';
import { assertRejects } from './badInput.ts';
import { assertClose, ROUNDING } from './tolerances.ts';
import { classDivergence } from '../src/theory/classDivergence.ts';

/** Entropy in bits, Σ −p·log₂ p with 0·log 0 = 0. */
function entropyInBits(p: number[]): number {
  return p.reduce((sum, value) => (value > 0 ? sum - value * Math.log2(value) : sum), 0);
}

/**
 * The value that supplement I of "Sample weighting as an explanation for mode collapse in
 * generative adversarial networks" gives for one generated class against ten balanced ones.
 */
const ONE_OF_TEN = 0.758;
/** The quote has three decimals. */
const QUOTED = { relative: 0, absolute: 5e-4 };

const TEN_BALANCED = new Array<number>(10).fill(0.1);

export const classDivergenceProperties: ClaimProperty[] = [
  {
    claim: 'C9',
    name: 'D_JS^CD equals H₂(m) − ½H₂(p) − ½H₂(q) and lies in [0, 1]',
    property: () =>
      fc.property(distributionPairArbitrary(1, 12), ([p, q]) => {
        const mixture = p.map((value, i) => 0.5 * (value + q[i]));
        const direct = entropyInBits(mixture) - 0.5 * entropyInBits(p) - 0.5 * entropyInBits(q);

        const divergence = classDivergence(p, q);

        assertClose('D_JS^CD', divergence, direct, ROUNDING);
        if (divergence < 0 || divergence > 1) throw new Error(`D_JS^CD = ${divergence} is outside [0, 1]`);
      }),
  },
  {
    claim: 'C9',
    name: 'D_JS^CD is 0 for equal and 1 for disjoint class frequencies',
    property: () =>
      fc.property(distributionArbitrary(1, 6), distributionArbitrary(1, 6), (p, q) => {
        // Place p on the first classes and q on the following ones, so they share none.
        const disjointP = [...p, ...q.map(() => 0)];
        const disjointQ = [...p.map(() => 0), ...q];

        assertClose('D_JS^CD(p, p)', classDivergence(p, p), 0, ROUNDING);
        assertClose('D_JS^CD(disjoint)', classDivergence(disjointP, disjointQ), 1, ROUNDING);
      }),
  },
  {
    claim: 'C9',
    name: 'against ten balanced classes, one class scores ≈ 0.758, the maximum',
    property: () =>
      fc.property(fc.integer({ min: 0, max: 9 }), distributionArbitrary(10, 10), (single, q) => {
        const oneClass = TEN_BALANCED.map((_, k) => (k === single ? 1 : 0));

        const largest = classDivergence(TEN_BALANCED, oneClass);

        assertClose('D_JS^CD(uniform, one class)', largest, ONE_OF_TEN, QUOTED);
        if (classDivergence(TEN_BALANCED, q) > largest + 1e-12) {
          throw new Error(`D_JS^CD(uniform, q) = ${classDivergence(TEN_BALANCED, q)} exceeds ${largest}`);
        }
      }),
  },
  {
    claim: 'C9',
    name: 'negative or non-normalised frequencies are rejected, naming them',
    property: () =>
      fc.property(distributionArbitrary(2, 10), nonProbabilityArbitrary, fc.double({ min: 1.01, max: 3 }), (p, bad, scale) => {
        assertRejects(() => classDivergence([...p.slice(1), bad], p), 'p');
        assertRejects(() => classDivergence(p, [...p.slice(1), bad]), 'q');
        assertRejects(() => classDivergence(p, p.map((value) => value * scale)), 'q');
        assertRejects(() => classDivergence(p, [...p, 0, 0].slice(0, p.length + 1)), 'p and q');
      }),
  },
];
