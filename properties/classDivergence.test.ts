import { classDivergenceProperties } from './classDivergence.ts';
import { runPropertiesWithUvu } from './runWithUvu.ts';

runPropertiesWithUvu('class divergence properties', classDivergenceProperties);
