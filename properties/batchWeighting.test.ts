import { batchWeightingProperties } from './batchWeighting.ts';
import { runPropertiesWithUvu } from './runWithUvu.ts';

runPropertiesWithUvu('batch weighting properties', batchWeightingProperties);
