/**
 * The claims C1–C19 that the suite shows, and the shape of a measured verdict. A verdict
 * is always computed from a property run, a simulation or a training run in the same
 * command; `not run` means that no such evidence exists at the scale that was run.
 */

export type Verdict = 'held' | 'not held' | 'not run';

export interface ClaimOutcome {
  id: string;
  title: string;
  verdict: Verdict;
  /** Description of the runs and their measured figures, in one or two sentences. */
  evidence: string;
  /** Names of the properties, simulations or runs behind the verdict. */
  sources: string[];
}

export const CLAIM_TITLES: Record<string, string> = {
  C1: 'Gradients: dJ/dD_l = −s(D_p) for every cost (eq. 4)',
  C2: 'Batch weighting: ∇J_ns = Σ_i ∇J_mm(z_i)·(1 − D_p,i)/D_p,i (eq. 5)',
  C3: 'MM-nsat is parallel to MM, equals NS for equal D_p, and matches NS in magnitude (eq. 6)',
  C4: 'Importance-weighted NS with normalised weights has MM\'s relative sample weights',
  C5: 'Optimal discriminator D* = r/(r + g) (eq. 7)',
  C6: 'Divergences at D*: MM ⇔ 2·JS, NS ⇔ KL(g‖r) − 2·JS, MM + NS ⇔ KL(g‖r) (eq. 3)',
  C7: 'Adam with a constant gradient steps α·sgn(g)/(1 + ε/|g|) (eq. 9)',
  C8: 'Adam with g_t = g0·exp(a·t): four step regimes, steps vanish for a < ½ ln β2',
  C9: 'Class-distribution divergence: base-2 JS in [0, 1], ≈ 0.758 for one class of ten (eq. 12)',
  C10: 'MNIST FC-4: MM\'s G gradient vanishes; MM-nsat and MM-β2 keep training (fig. 5)',
  C11: 'MNIST: MM-nsat covers the classes better than NS (fig. 6, table 1)',
  C12: 'Ring: NS drops or hops modes, MM covers all; spiral: MM follows the mode frequencies (fig. 4, 19, table 3)',
  C13: 'MM-unit and NS-unit: same gradient magnitude, different dynamics (fig. 8)',
  C14: 'Resetting G\'s Adam state or lowering only G\'s β2 avoids vanishing updates (supplement L.1)',
  C15: 'Ordering of linear combinations and scaling-factor variants (fig. 15, 16)',
  C16: 'Stronger D regularisation brings NS and MM-nsat together (fig. 18)',
  C17: 'Hinge and LS show NS-like gradual mode dropping (fig. 17)',
  C18: 'CIFAR-10 Conv-4: NS collapses, MM-nsat stays stable (fig. 8)',
  C19: 'CAT 128² and FFHQ: NS collapses early, MM-nsat trains (fig. 21, 23)',
};

export const CLAIM_IDS = Object.keys(CLAIM_TITLES);
