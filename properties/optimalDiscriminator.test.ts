import { optimalDiscriminatorProperties } from './optimalDiscriminator.ts';
import { runPropertiesWithUvu } from './runWithUvu.ts';

runPropertiesWithUvu('optimal discriminator properties', optimalDiscriminatorProperties);
