/**
 * Findings from simulations: a simulation adds evidence to a claim where it measures the
 * quantity the claim predicts.
 *
 * Adam's vanishing steps (C8), from "Sample weighting as an explanation for mode collapse
 * in generative adversarial networks", supplement G: for g_t = g0·exp(a·t) with
 * ln β1 < a < ½ ln β2, the step size decays as exp((a − ½ ln β2)·t). The decay rate that
 * the simulation measures from Adam's update (equation 8) must match a − ½ ln β2.
 */
import type { Finding, SimulationRecord } from './evidence.ts';

export interface SimulationCheck {
  simulation: string;
  claim: string;
  /** Returns a finding, or undefined when the result lacks the fields the check reads. */
  judge(result: unknown): Finding | undefined;
}

/**
 * Relative tolerance between the measured and the predicted decay rate. The prediction is
 * the asymptote of the integral approximation; the transient (β1/√β2)^t term and the
 * discrete sums leave a small gap over a finite window.
 */
export const DECAY_RATE_TOLERANCE = 0.05;

function numberField(result: unknown, field: string): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const value = (result as Record<string, unknown>)[field];
  return typeof value === 'number' ? value : undefined;
}

export const adamDecayRateCheck: SimulationCheck = {
  simulation: 'adam-vanishing',
  claim: 'C8',
  judge(result) {
    const measured = numberField(result, 'measuredDecayRate');
    const predicted = numberField(result, 'predictedDecayRate');
    if (measured === undefined || predicted === undefined) return undefined;
    const relativeError = Math.abs(measured - predicted) / Math.abs(predicted);
    const held = Number.isFinite(relativeError) && relativeError <= DECAY_RATE_TOLERANCE;
    return {
      claim: 'C8',
      verdict: held ? 'held' : 'not held',
      evidence:
        `Simulation adam-vanishing measured a step decay rate of ${measured.toExponential(4)} per step ` +
        `against a − ½ ln β2 = ${predicted.toExponential(4)} (relative error ${relativeError.toExponential(2)}, ` +
        `tolerance ${DECAY_RATE_TOLERANCE}).`,
      sources: ['simulation: adam-vanishing'],
    };
  },
};

export const simulationChecks: SimulationCheck[] = [adamDecayRateCheck];

export function simulationFindings(
  records: SimulationRecord[],
  checks: SimulationCheck[] = simulationChecks,
): Finding[] {
  const findings: Finding[] = [];
  for (const check of checks) {
    const record = records.find((candidate) => candidate.name === check.simulation);
    const finding = record === undefined ? undefined : check.judge(record.result);
    if (finding !== undefined) findings.push(finding);
  }
  return findings;
}
