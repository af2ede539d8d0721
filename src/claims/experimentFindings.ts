/**
 * Findings from training runs: each experiment returns its own ClaimOutcomes, computed from
 * the runs it made. A claim that no experiment ran gets the reason, naming the experiment
 * and the scale that would run it.
 */
import type { ExperimentResult, Scale } from '../../experiments/experiment.ts';
import type { ClaimEvidence, Finding } from './evidence.ts';
import { SUITE_OF_SCALE } from './suites.ts';

export function experimentFindings(results: ExperimentResult[]): Finding[] {
  return results.flatMap((result) =>
    result.claims.map((outcome) => ({
      claim: outcome.id,
      verdict: outcome.verdict,
      evidence: `${result.experiment} (scale ${result.scale}): ${outcome.evidence}`,
      sources: outcome.sources.length > 0 ? outcome.sources : [`experiment: ${result.experiment}`],
    })),
  );
}

function describeScales(scales: Scale[]): string {
  return scales.map((candidate) => `scale ${candidate} (suite ${SUITE_OF_SCALE[candidate]})`).join(' or ');
}

/**
 * Names the other scales at which the experiments that ran would measure a claim, for a
 * claim they could not measure at this scale; undefined when there is none.
 */
export function otherScales(
  claim: string,
  ran: ClaimEvidence['catalogue'],
  scale: Scale,
): string | undefined {
  const options = ran
    .filter((experiment) => experiment.claims.includes(claim))
    .map((experiment) => ({ name: experiment.name, scales: experiment.scales.filter((candidate) => candidate !== scale) }))
    .filter((option) => option.scales.length > 0)
    .map((option) => `experiment ${option.name} also runs at ${describeScales(option.scales)}`);
  return options.length === 0 ? undefined : `${options.join('; ')}.`;
}

/**
 * Explains why a claim has no evidence from training: which experiments give evidence for
 * it and at which scales (suites) they run, or that none does yet.
 */
export function notRunReason(
  claim: string,
  catalogue: ClaimEvidence['catalogue'],
  scale: Scale,
  notSelected: string[] = [],
  failed: { name: string; message: string }[] = [],
): string {
  const candidates = catalogue.filter((experiment) => experiment.claims.includes(claim));
  if (candidates.length === 0) {
    return 'No experiment in this suite gives evidence for this claim yet.';
  }
  const errors = failed.filter((failure) => candidates.some((experiment) => experiment.name === failure.name));
  if (errors.length > 0) {
    return `Failed: ${errors.map((failure) => `experiment ${failure.name} stopped with an error at scale ${scale} (${failure.message})`).join('; ')}. See the failures listed above the claims.`;
  }
  const left = candidates.filter((experiment) => notSelected.includes(experiment.name)).map((experiment) => experiment.name);
  if (left.length > 0) {
    return `Not selected: experiment ${left.join(', ')} measures it at scale ${scale}, but this report ran only the experiments named by --experiments.`;
  }
  const options = candidates.map((experiment) => `experiment ${experiment.name} runs it at ${describeScales(experiment.scales)}`);
  return `Not run at scale ${scale}: ${options.join('; ')}.`;
}
