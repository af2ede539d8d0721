/**
 * Float64 linear algebra for the Fréchet distance: sample means and covariances, products
 * of square matrices, and the eigen-decomposition of a symmetric matrix by the cyclic
 * Jacobi method (Golub and Van Loan, "Matrix computations", 4th ed., §8.5). Jacobi is
 * slower than a tridiagonal QR for large matrices but needs no pivoting, keeps every
 * eigenvector orthogonal to rounding, and is short enough to check by reading.
 *
 * Matrices are row-major Float64Arrays of n × n entries.
 */

/** A set of n feature vectors of dimension d, row-major. */
export interface FeatureMatrix {
  data: ArrayLike<number>;
  rows: number;
  columns: number;
}

/** Turns number[][] or a FeatureMatrix into a FeatureMatrix, checking the sizes. */
export function toFeatureMatrix(features: FeatureMatrix | number[][], fn: string, name: string): FeatureMatrix {
  if (Array.isArray(features)) {
    const rows = features.length;
    const columns = rows > 0 ? features[0].length : 0;
    const data = new Float64Array(rows * columns);
    features.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== columns) {
        throw new RangeError(`${fn}: ${name}[${i}] must be an array of ${columns} numbers, received length ${Array.isArray(row) ? row.length : typeof row}`);
      }
      data.set(row, i * columns);
    });
    return { data, rows, columns };
  }
  const { data, rows, columns } = features;
  if (!Number.isInteger(rows) || !Number.isInteger(columns) || data.length !== rows * columns) {
    throw new RangeError(`${fn}: ${name} must have rows × columns = ${rows} × ${columns} values, received ${data.length}`);
  }
  return features;
}

/** Returns the mean vector and the sample covariance (divided by n − 1) of the rows. */
export function meanAndCovariance(features: FeatureMatrix): { mean: Float64Array; covariance: Float64Array } {
  const { data, rows, columns } = features;
  const mean = new Float64Array(columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) mean[j] += data[i * columns + j];
  }
  for (let j = 0; j < columns; j++) mean[j] /= rows;

  const covariance = new Float64Array(columns * columns);
  const centred = new Float64Array(columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) centred[j] = data[i * columns + j] - mean[j];
    for (let j = 0; j < columns; j++) {
      const cj = centred[j];
      if (cj === 0) continue;
      for (let k = j; k < columns; k++) covariance[j * columns + k] += cj * centred[k];
    }
  }
  for (let j = 0; j < columns; j++) {
    for (let k = j; k < columns; k++) {
      const value = covariance[j * columns + k] / (rows - 1);
      covariance[j * columns + k] = value;
      covariance[k * columns + j] = value;
    }
  }
  return { mean, covariance };
}

/** Returns the product a·b of two n × n matrices. */
export function multiplySquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const product = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) product[i * n + j] += aik * b[k * n + j];
    }
  }
  return product;
}

export function trace(a: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i * n + i];
  return sum;
}

/** Returns (a + aᵀ)/2, which removes the rounding asymmetry of a product that is symmetric in exact arithmetic. */
export function symmetrise(a: Float64Array, n: number): Float64Array {
  const result = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) result[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  }
  return result;
}

/** Sweeps after which Jacobi gives up; it converges quadratically, in well under 20 for n ≤ 1000. */
const MAX_SWEEPS = 100;

/**
 * Eigenvalues and eigenvectors of a symmetric n × n matrix: a = V·diag(values)·Vᵀ, with the
 * eigenvectors as the columns of V. Each Jacobi rotation zeroes one off-diagonal entry; the
 * sweeps stop once the off-diagonal mass is below 1e−30 of the total, i.e. at rounding.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (matrix.length !== n * n) {
    throw new RangeError(`symmetricEigen: matrix must have n × n = ${n * n} entries, received ${matrix.length}`);
  }
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;

  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let offDiagonal = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) offDiagonal += 2 * a[p * n + q] * a[p * n + q];
    }
    if (offDiagonal <= 1e-30 * total || offDiagonal === 0) break;

    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // The rotation angle θ with tan 2θ = 2·a_pq/(a_qq − a_pp); t = tan θ, the smaller root.
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotate(a, v, n, p, q, c, s);
      }
    }
  }

  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

/** Applies the Jacobi rotation J(p, q, θ): a ← Jᵀ·a·J and v ← v·J. */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p];
    const akq = a[k * n + q];
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k];
    const aqk = a[q * n + k];
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p];
    const vkq = v[k * n + q];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

/**
 * Eigenvalues below n times this fraction of the largest are rounding noise of the
 * decomposition and are taken as 0. It is Number.EPSILON, the gap between 1 and the next
 * float64.
 */
export const EIGENVALUE_NOISE = Number.EPSILON;

/**
 * Clamps the eigenvalues of a positive semi-definite matrix at 0, zeroing the rounding
 * noise. `scale` bounds the matrix's norm and defaults to the largest eigenvalue. A matrix
 * that is 0 in exact arithmetic has only noise for eigenvalues, so its caller passes the
 * scale of the factors it was computed from.
 */
export function clampEigenvalues(values: Float64Array, scale?: number): Float64Array {
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  const noise = values.length * EIGENVALUE_NOISE * Math.max(largest, scale ?? 0);
  return values.map((value) => (value <= noise ? 0 : value));
}

/** Returns the symmetric square root V·diag(√λ)·Vᵀ of a positive semi-definite matrix. */
export function symmetricSquareRoot(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const roots = clampEigenvalues(values).map(Math.sqrt);
  const root = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = roots[k];
    if (rk === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * rk;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) root[i * n + j] += vik * vectors[j * n + k];
    }
  }
  return symmetrise(root, n);
}
