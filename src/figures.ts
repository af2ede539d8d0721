/**
 * Report-neutral description of what a simulation or an experiment shows: sections of
 * text, figures and tables. Simulations and experiments build these; `src/report` turns
 * them into HTML and plotly figures. Plain data only, so results can be written as JSON.
 */

/** One line of a figure, with an optional shaded band (for example min–max over seeds). */
export interface Series {
  name: string;
  x: number[];
  y: number[];
  /** Lower and upper edge of a shaded band, one value per x. */
  band?: { low: number[]; high: number[] };
  /** Lines (default), markers only, or both. */
  mode?: 'lines' | 'markers' | 'lines+markers';
  /** Dashed lines mark approximations and theory curves. */
  dash?: boolean;
  /**
   * Colour index shared by series that belong together, such as one cost's curves on real
   * and on generated data. Without it, the series' position in the figure picks the colour.
   */
  colour?: number;
}

export interface Axis {
  /** Axis title with its unit, for example "training step" or "|Δθ| (log scale)". */
  title: string;
  log?: boolean;
  range?: [number, number];
}

export interface LineFigure {
  kind: 'line';
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  /** Vertical or horizontal reference lines, such as the ½ ln β2 boundary. */
  markers?: { axis: 'x' | 'y'; value: number; label: string }[];
}

export interface ScatterFigure {
  kind: 'scatter';
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  /** Equal scales on both axes, for 2D data. */
  equalAxes?: boolean;
}

export interface HeatmapFigure {
  kind: 'heatmap';
  title: string;
  x: Axis & { values: number[] };
  y: Axis & { values: number[] };
  /** z[row][column], row indexing y and column indexing x. */
  z: number[][];
  colorbarTitle: string;
}

export interface BarFigure {
  kind: 'bar';
  title: string;
  x: Axis & { categories: string[] };
  y: Axis;
  series: { name: string; values: number[] }[];
}

/** A grid of grayscale or RGB images, pixel values in [0, 1], shape [height][width][channels]. */
export interface ImageGridFigure {
  kind: 'images';
  title: string;
  images: number[][][][];
  columns: number;
}

export type Figure = LineFigure | ScatterFigure | HeatmapFigure | BarFigure | ImageGridFigure;

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface Section {
  id: string;
  title: string;
  /** Paragraphs of plain text: settings, scale, what to look for. */
  text: string[];
  figures: Figure[];
  tables: Table[];
}
