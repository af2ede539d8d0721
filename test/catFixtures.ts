/** Landmark sets and `.cat` files for the CAT crop and preparation tests. */
import type { LandmarkPoint } from '../src/data/catLandmarks.ts';

/** Returns a `.cat` line for the points, in the dataset's layout (count first, trailing space). */
export function catLine(points: readonly LandmarkPoint[]): string {
  return `${points.length} ${points.map((point) => `${point.x} ${point.y}`).join(' ')} `;
}

/** Returns nine points with the given x and y extremes; the rest lie between them. */
export function pointsSpanning(minX: number, maxX: number, minY: number, maxY: number): LandmarkPoint[] {
  const middleX = Math.floor((minX + maxX) / 2);
  const middleY = Math.floor((minY + maxY) / 2);
  return [
    { x: minX, y: middleY },
    { x: maxX, y: middleY },
    { x: middleX, y: maxY },
    { x: minX, y: minY },
    { x: middleX, y: minY },
    { x: middleX, y: middleY },
    { x: maxX, y: minY },
    { x: middleX, y: middleY },
    { x: middleX, y: middleY },
  ];
}
