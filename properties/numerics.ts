/**
 * Independent numerical oracles for the properties: finite differences, golden-section
 * minimisation and least-squares slopes. They share no code with src/theory.
 */
import { FINITE_DIFFERENCE_STEP } from './tolerances.ts';

/** Returns (f(x + h) − f(x − h))/(2h). */
export function centralDifference(f: (x: number) => number, x: number, h: number = FINITE_DIFFERENCE_STEP): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** Returns the gradient of f at θ by central differences in each coordinate. */
export function finiteDifferenceGradient(
  f: (theta: number[]) => number,
  theta: number[],
  h: number = FINITE_DIFFERENCE_STEP,
): number[] {
  return theta.map((_, j) => {
    const plus = theta.slice();
    const minus = theta.slice();
    plus[j] += h;
    minus[j] -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

const INVERSE_GOLDEN_RATIO = (Math.sqrt(5) - 1) / 2;

/** Finds the minimiser of a unimodal f on [low, high] by golden-section search, to a bracket of `tolerance`. */
export function goldenSectionMinimum(
  f: (x: number) => number,
  low: number,
  high: number,
  tolerance = 1e-12,
): number {
  let a = low;
  let b = high;
  let c = b - INVERSE_GOLDEN_RATIO * (b - a);
  let d = a + INVERSE_GOLDEN_RATIO * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tolerance) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - INVERSE_GOLDEN_RATIO * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + INVERSE_GOLDEN_RATIO * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** Returns the least-squares slope of y against x. */
export function leastSquaresSlope(x: number[], y: number[]): number {
  const n = x.length;
  const meanX = x.reduce((sum, value) => sum + value, 0) / n;
  const meanY = y.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    covariance += (x[i] - meanX) * (y[i] - meanY);
    variance += (x[i] - meanX) ** 2;
  }
  return covariance / variance;
}

/** Returns the least-squares slope of ln|values[t − 1]| against t over steps first..last (1-based, inclusive). */
export function logGrowthRate(values: number[], first: number, last: number): number {
  const t: number[] = [];
  const logs: number[] = [];
  for (let step = first; step <= last; step++) {
    t.push(step);
    logs.push(Math.log(Math.abs(values[step - 1])));
  }
  return leastSquaresSlope(t, logs);
}
