import { runPropertiesWithUvu } from './runWithUvu.ts';
import { twoModeProperties } from './twoMode.ts';

runPropertiesWithUvu('two-mode model properties', twoModeProperties);
