/**
 * Every claim property, in claim order. `npm test` runs each module through its own test
 * file; the report runs this list once and computes the claims' verdicts from it.
 */
import type { ClaimProperty } from './claimProperty.ts';
import { adamProperties } from './adam.ts';
import { batchWeightingProperties } from './batchWeighting.ts';
import { classDivergenceProperties } from './classDivergence.ts';
import { costProperties } from './costs.ts';
import { divergencesProperties } from './divergences.ts';
import { optimalDiscriminatorProperties } from './optimalDiscriminator.ts';
import { scalingFactorProperties } from './scalingFactor.ts';
import { twoModeProperties } from './twoMode.ts';

export const allClaimProperties: ClaimProperty[] = [
  ...scalingFactorProperties,
  ...costProperties,
  ...batchWeightingProperties,
  ...optimalDiscriminatorProperties,
  ...divergencesProperties,
  ...adamProperties,
  ...classDivergenceProperties,
  ...twoModeProperties,
];
