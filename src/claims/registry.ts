/**
 * Computes every claim's verdict once from the evidence measured in the same command. A
 * claim is held only when every finding about it held, not held when any finding failed,
 * and not run when nothing measured it or only part of it was measured.
 */
import { CLAIM_IDS, CLAIM_TITLES, type ClaimOutcome } from './claim.ts';
import type { ClaimEvidence, Finding } from './evidence.ts';
import { experimentFindings, notRunReason, otherScales } from './experimentFindings.ts';
import { propertyFindings } from './propertyFindings.ts';
import { simulationFindings } from './simulationFindings.ts';

/** C1–C9 are proved by properties; C10–C19 need training runs. */
const PROPERTY_CLAIMS = new Set(CLAIM_IDS.slice(0, 9));

export function computeClaimOutcomes(evidence: ClaimEvidence): ClaimOutcome[] {
  const findings = [
    ...propertyFindings(evidence.properties),
    ...simulationFindings(evidence.simulations),
    ...experimentFindings(evidence.experiments),
  ];
  return CLAIM_IDS.map((id) => {
    const about = findings.filter((finding) => finding.claim === id);
    const outcome = combineFindings(id, about, evidence);
    if (about.length > 0 && !PROPERTY_CLAIMS.has(id)) {
      const ranNames = new Set(evidence.experiments.map((result) => result.experiment));
      const ran = evidence.catalogue.filter((experiment) => ranNames.has(experiment.name));
      const others = evidence.catalogue.filter((experiment) => !ranNames.has(experiment.name));
      if (others.some((experiment) => experiment.claims.includes(id))) {
        outcome.evidence += ` Other evidence: ${notRunReason(id, others, evidence.scale, evidence.notSelected, evidence.failed)}`;
      }
      const larger = outcome.verdict === 'not run' ? otherScales(id, ran, evidence.scale) : undefined;
      if (larger !== undefined) outcome.evidence += ` To measure it, ${larger}`;
    }
    return { id, title: CLAIM_TITLES[id], ...outcome };
  });
}

function combineFindings(id: string, findings: Finding[], evidence: ClaimEvidence): Omit<Finding, 'claim'> {
  const sources = [...new Set(findings.flatMap((finding) => finding.sources))];
  if (findings.length === 0) {
    const reason = PROPERTY_CLAIMS.has(id)
      ? 'No property in this suite checks this claim.'
      : notRunReason(id, evidence.catalogue, evidence.scale, evidence.notSelected, evidence.failed);
    return { verdict: 'not run', evidence: reason, sources };
  }
  const failed = findings.filter((finding) => finding.verdict === 'not held');
  const held = findings.filter((finding) => finding.verdict === 'held');
  const notRun = findings.filter((finding) => finding.verdict === 'not run');
  if (failed.length > 0) {
    // Failures come first: they decide the verdict.
    const ordered = [...failed, ...held, ...notRun];
    return { verdict: 'not held', evidence: ordered.map((finding) => finding.evidence).join(' '), sources };
  }
  if (notRun.length === 0) {
    return { verdict: 'held', evidence: held.map((finding) => finding.evidence).join(' '), sources };
  }
  const partly = held.length === 0 ? '' : `Partly measured, and what ran held: ${held.map((finding) => finding.evidence).join(' ')} `;
  return {
    verdict: 'not run',
    evidence: `${partly}Not run: ${notRun.map((finding) => finding.evidence).join(' ')}`,
    sources,
  };
}
