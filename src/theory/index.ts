/** The theory of GAN sample weighting as pure functions: no tfjs, no I/O. */
export * from './costNames.ts';
export * from './scalingFactor.ts';
export * from './validate.ts';
export * from './random.ts';
export * from './adam.ts';
export * from './adamRegimes.ts';
export * from './optimalDiscriminator.ts';
export * from './divergences.ts';
export * from './divergencesAtOptimum.ts';
export * from './classDivergence.ts';
export * from './batchWeighting.ts';
export * from './modeShares.ts';
export * from './modeDynamics.ts';
