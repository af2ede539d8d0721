import { divergencesProperties } from './divergences.ts';
import { runPropertiesWithUvu } from './runWithUvu.ts';

runPropertiesWithUvu('divergence properties', divergencesProperties);
