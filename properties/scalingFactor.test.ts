import { runPropertiesWithUvu } from './runWithUvu.ts';
import { scalingFactorProperties } from './scalingFactor.ts';

runPropertiesWithUvu('scaling factor properties', scalingFactorProperties);
