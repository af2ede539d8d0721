/**
 * Names of the generator costs, as used on the command line, in configs and in the cost
 * registry. A parameterised family carries its constant a in the name:
 * `ns+mm(0.25)`, `ns+mm-nsat(0.5)`, `ns-add-1`, `mm-nsat-add-0.1`.
 */

export const COST_FAMILIES = [
  'mm',
  'ns',
  'mm-nsat',
  'mm-unit',
  'ns-unit',
  'ns+mm',
  'ns+mm-nsat',
  'ns-add',
  'mm-nsat-add',
  'ns-exp-2',
  'mm-nsat-exp-2',
  'ns-exp-0.5',
  'iw-ns',
  'hinge',
  'ls',
] as const;

export type CostFamily = (typeof COST_FAMILIES)[number];

/** A cost family with its constant a (only the parameterised families have one). */
export interface CostSpec {
  name: string;
  family: CostFamily;
  a?: number;
}

const PARAMETERISED: Record<string, RegExp> = {
  'ns+mm': /^ns\+mm\((.+)\)$/,
  'ns+mm-nsat': /^ns\+mm-nsat\((.+)\)$/,
  'ns-add': /^ns-add-(.+)$/,
  'mm-nsat-add': /^mm-nsat-add-(.+)$/,
};

/** Example names for the error message of an unknown cost. */
export const COST_NAME_EXAMPLES =
  'mm, ns, mm-nsat, mm-unit, ns-unit, ns+mm(A), ns+mm-nsat(A), ns-add-A, mm-nsat-add-A, ' +
  'ns-exp-2, mm-nsat-exp-2, ns-exp-0.5, iw-ns, hinge, ls (A a number)';

/** Parses a cost name into its family and constant, or throws naming the input. */
export function parseCostName(name: string): CostSpec {
  if (typeof name !== 'string') {
    throw new TypeError(`cost: name must be a string, received ${String(name)}`);
  }
  for (const [family, pattern] of Object.entries(PARAMETERISED)) {
    const match = pattern.exec(name);
    if (!match) continue;
    const a = Number(match[1]);
    const linear = family === 'ns+mm' || family === 'ns+mm-nsat';
    // The linear combinations interpolate with a ∈ [0, 1]; the additive variants need
    // a ≥ 0 so that no sample gets a negative scaling factor.
    const valid = Number.isFinite(a) && a >= 0 && (!linear || a <= 1) && match[1].trim() !== '';
    if (!valid) {
      const expected = linear ? 'a number in [0, 1]' : 'a number ≥ 0';
      throw new RangeError(
        `cost: the constant a in "${name}" must be ${expected}, received "${match[1]}"`,
      );
    }
    return { name, family: family as CostFamily, a };
  }
  if ((COST_FAMILIES as readonly string[]).includes(name) && !(name in PARAMETERISED)) {
    return { name, family: name as CostFamily };
  }
  throw new RangeError(`cost: unknown cost "${name}"; expected one of ${COST_NAME_EXAMPLES}`);
}
