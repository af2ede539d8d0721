import { adamProperties } from './adam.ts';
import { runPropertiesWithUvu } from './runWithUvu.ts';

runPropertiesWithUvu('Adam properties', adamProperties);
