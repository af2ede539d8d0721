/**
 * Turns an image grid figure into one PNG mosaic, embedded as a data URI, so a grid of
 * samples costs one compressed image in the page instead of a JSON array per pixel.
 */
import { PNG } from 'pngjs';
import type { ImageGridFigure } from '../figures.ts';

/** Pixels of background between neighbouring images. */
const GAP = 2;
const BACKGROUND = 255;

function channelByte(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.round(Math.min(1, Math.max(0, value)) * 255);
}

/** Builds the mosaic; images may differ in size, each sits at the top left of its cell. */
export function imageGridToPng(figure: ImageGridFigure): { dataUri: string; width: number; height: number } {
  const columns = figure.columns;
  if (!Number.isInteger(columns) || columns <= 0) {
    throw new RangeError(`imageGridToPng: columns of "${figure.title}" must be a positive integer, received ${columns}`);
  }
  if (figure.images.length === 0) {
    throw new RangeError(`imageGridToPng: "${figure.title}" has no images`);
  }
  const cellHeight = Math.max(...figure.images.map((image) => image.length));
  const cellWidth = Math.max(...figure.images.map((image) => image[0]?.length ?? 0));
  const rows = Math.ceil(figure.images.length / columns);
  const width = columns * cellWidth + (columns - 1) * GAP;
  const height = rows * cellHeight + (rows - 1) * GAP;
  const png = new PNG({ width, height });
  png.data.fill(BACKGROUND);

  figure.images.forEach((image, index) => {
    const left = (index % columns) * (cellWidth + GAP);
    const top = Math.floor(index / columns) * (cellHeight + GAP);
    image.forEach((row, y) => {
      row.forEach((pixel, x) => {
        const offset = ((top + y) * width + left + x) * 4;
        // One channel is grayscale; three are RGB.
        const [red, green, blue] = pixel.length >= 3 ? pixel : [pixel[0], pixel[0], pixel[0]];
        png.data[offset] = channelByte(red);
        png.data[offset + 1] = channelByte(green);
        png.data[offset + 2] = channelByte(blue);
        png.data[offset + 3] = 255;
      });
    });
  });

  const encoded = PNG.sync.write(png).toString('base64');
  return { dataUri: `data:image/png;base64,${encoded}`, width, height };
}
