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

/**
 * Explains why a claim has no evidence from training: which experiments give evidence for
 * it and at which scales (suites) they run, or that none does yet.
 */
export function notRunReason(
  claim: string,
  catalogue: ClaimEvidence['catalogue'],
  scale: Scale,
): string {
  const candidates = catalogue.filter((experiment) => experiment.claims.includes(claim));
  if (candidates.length === 0) {
    return 'No experiment in this suite gives evidence for this claim yet.';
  }
  const options = candidates.map((experiment) => {
    const scales = experiment.scales
      .map((candidate) => `scale ${candidate} (suite ${SUITE_OF_SCALE[candidate]})`)
      .join(' or ');
    return `experiment ${experiment.name} runs it at ${scales}`;
  });
  return `Not run at scale ${scale}: ${options.join('; ')}.`;
}
