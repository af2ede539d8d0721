/**
 * Every tolerance the theory properties use, with the reason for its size. The theory is
 * float64, so a check is |actual − expected| ≤ absolute + relative·|expected|.
 */

export interface Tolerance {
  relative: number;
  absolute: number;
}

/** Closed forms that agree up to rounding: a few hundred ulps of accumulated float64 error. */
export const ROUNDING: Tolerance = { relative: 1e-12, absolute: 1e-14 };

/**
 * A central difference with step h has truncation error ~h²·|f‴|/6 and rounding error
 * ~1e−16·|f|/h; h = 1e−5 puts both near 1e−10 for the smooth costs here, and 1e−6 leaves
 * room for third derivatives up to ~1e4.
 */
export const FINITE_DIFFERENCE_STEP = 1e-5;
export const FINITE_DIFFERENCE: Tolerance = { relative: 1e-6, absolute: 1e-7 };

/**
 * Golden-section search on the logit scale stops at a bracket of 1e−12, but a minimum is
 * flat to second order, so the argument is only found to about √(1e−16) ≈ 1e−8 relative.
 */
export const MINIMISATION: Tolerance = { relative: 1e-6, absolute: 1e-7 };

/**
 * Absolute error allowed on a log-step slope fitted over steps 2000–3000 (per step). The
 * bias corrections 1 − β^t still drift there for β2 near 1; the largest error measured
 * over 4000 random cases of the regime generators in properties/adam.ts was 1.8e−4.
 */
export const GROWTH_RATE_ABSOLUTE = 1e-3;

export function isClose(actual: number, expected: number, tolerance: Tolerance): boolean {
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= tolerance.absolute + tolerance.relative * Math.abs(expected);
}

/** Throws an error that lists the quantity, the actual and expected values and their difference. */
export function assertClose(label: string, actual: number, expected: number, tolerance: Tolerance): void {
  if (!isClose(actual, expected, tolerance)) {
    throw new Error(
      `${label}: actual ${actual}, expected ${expected}, difference ${actual - expected} ` +
        `(tolerance ${tolerance.absolute} + ${tolerance.relative}·|expected|)`,
    );
  }
}

/** Elementwise `assertClose` over two arrays of the same length. */
export function assertAllClose(
  label: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) assertClose(`${label}[${i}]`, actual[i], expected[i], tolerance);
}
