/**
 * Spearman's rank correlation, the measure behind the ordering claims: whether a variant's
 * class divergence follows its scaling factor's emphasis, and whether the NS–MM-nsat gap
 * follows the gradient penalty's weight. Ties get the mean of the ranks they span.
 */

/** Ranks from 1, with tied values sharing the mean of their ranks. */
export function ranks(values: number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const result = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && order[end].value === order[start].value) end++;
    const shared = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) result[order[k].index] = shared;
    start = end;
  }
  return result;
}

/**
 * Returns Spearman's ρ of paired values: Pearson's correlation of their ranks, in [−1, 1].
 * Returns NaN for fewer than three pairs or when either side has a single distinct value,
 * because then no ordering can be measured.
 */
export function spearman(x: number[], y: number[]): number {
  if (x.length !== y.length) {
    throw new RangeError(`spearman: x and y must have the same length, received ${x.length} and ${y.length}`);
  }
  for (const [name, values] of [['x', x], ['y', y]] as const) {
    const bad = values.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) throw new RangeError(`spearman: ${name}[${bad}] must be a finite number, received ${values[bad]}`);
  }
  if (x.length < 3) return Number.NaN;
  const rx = ranks(x);
  const ry = ranks(y);
  const mean = (x.length + 1) / 2;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < x.length; i++) {
    covariance += (rx[i] - mean) * (ry[i] - mean);
    varianceX += (rx[i] - mean) ** 2;
    varianceY += (ry[i] - mean) ** 2;
  }
  if (varianceX === 0 || varianceY === 0) return Number.NaN;
  return covariance / Math.sqrt(varianceX * varianceY);
}
