/**
 * Argument checks shared by the theory modules. Each error names the function, the
 * argument, what was expected and the value received, so a caller can fix the call.
 */

export function assertFiniteNumber(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${fn}: ${name} must be a finite number, received ${String(value)}`);
  }
}

export function assertInRange(
  fn: string,
  name: string,
  value: number,
  low: number,
  high: number,
  interval: '[]' | '[)' | '(]' | '()',
): void {
  assertFiniteNumber(fn, name, value);
  const aboveLow = interval[0] === '[' ? value >= low : value > low;
  const belowHigh = interval[1] === ']' ? value <= high : value < high;
  if (!aboveLow || !belowHigh) {
    const shown = `${interval[0]}${low}, ${high}${interval[1]}`;
    throw new RangeError(`${fn}: ${name} must be in ${shown}, received ${value}`);
  }
}

/** Adam's decay rates β1 and β2 must lie in [0, 1). */
export function assertBeta(fn: string, name: string, value: number): void {
  assertInRange(fn, name, value, 0, 1, '[)');
}

export function assertPositiveInteger(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${fn}: ${name} must be a positive integer, received ${String(value)}`);
  }
}

/** Tolerance on Σp = 1 for probability vectors. */
export const PROBABILITY_SUM_TOLERANCE = 1e-9;

/** A probability vector: finite, non-negative entries that sum to 1 within 1e-9. */
export function assertProbabilityVector(fn: string, name: string, p: ArrayLike<number>): void {
  if (p == null || typeof p.length !== 'number') {
    throw new TypeError(`${fn}: ${name} must be an array of probabilities, received ${String(p)}`);
  }
  if (p.length === 0) {
    throw new RangeError(`${fn}: ${name} must be a non-empty probability vector, received []`);
  }
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const value = p[i];
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `${fn}: ${name}[${i}] must be a finite non-negative probability, received ${value}`,
      );
    }
    sum += value;
  }
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    throw new RangeError(
      `${fn}: ${name} must sum to 1 (within ${PROBABILITY_SUM_TOLERANCE}), received a sum of ${sum}`,
    );
  }
}

/** Finite, non-negative entries (densities at points, which need not sum to 1). */
export function assertNonNegativeVector(fn: string, name: string, values: ArrayLike<number>): void {
  if (values == null || typeof values.length !== 'number') {
    throw new TypeError(`${fn}: ${name} must be an array of numbers, received ${String(values)}`);
  }
  if (values.length === 0) {
    throw new RangeError(`${fn}: ${name} must be non-empty, received []`);
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`${fn}: ${name}[${i}] must be a finite number ≥ 0, received ${value}`);
    }
  }
}

/** Two arrays that describe the same points must have the same length. */
export function assertSameLength(
  fn: string,
  names: [string, string],
  first: ArrayLike<number>,
  second: ArrayLike<number>,
): void {
  if (first.length !== second.length) {
    throw new RangeError(
      `${fn}: ${names[0]} and ${names[1]} must have the same length, received ${first.length} and ${second.length}`,
    );
  }
}
