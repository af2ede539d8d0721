/**
 * Converts the report-neutral figures of src/figures.ts into plotly.js traces and layouts.
 * The result is plain JSON that the page hands to Plotly.newPlot.
 */
import type { Axis, BarFigure, Figure, HeatmapFigure, ImageGridFigure, LineFigure, ScatterFigure, Series } from '../figures.ts';
import { imageGridToPng } from './imageGrid.ts';

type PlotlyObject = Record<string, unknown>;

export interface PlotlySpec {
  data: PlotlyObject[];
  layout: PlotlyObject;
}

/** d3's category10 colours, one per series in order. */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** Opacity of a shaded band, so overlapping bands stay readable. */
const BAND_OPACITY = 0.2;
const FIGURE_HEIGHT = 380;
/** Hover and tick labels with four significant digits, exponential for tiny values. */
const NUMBER_FORMAT = '.4~g';

/**
 * plotly reads a small subset of HTML in every label (<b>, <br>, <a href>) and decodes
 * &amp;, &lt; and &gt;, so labels are escaped to show exactly as written.
 */
function plotlyText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function colourOf(index: number): string {
  return PALETTE[index % PALETTE.length];
}

function translucent(hex: string, opacity: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${opacity})`;
}

function axisLayout(axis: Axis): PlotlyObject {
  const layout: PlotlyObject = {
    title: { text: plotlyText(axis.title) },
    type: axis.log ? 'log' : 'linear',
    exponentformat: 'e',
    hoverformat: NUMBER_FORMAT,
    automargin: true,
  };
  if (axis.range) {
    // plotly takes a log axis's range as log10 of the data values.
    layout.range = axis.log ? axis.range.map((value) => Math.log10(value)) : [...axis.range];
  }
  return layout;
}

function baseLayout(title: string): PlotlyObject {
  return {
    title: { text: plotlyText(title) },
    height: FIGURE_HEIGHT,
    margin: { t: 50, r: 20, b: 50, l: 60 },
    legend: { orientation: 'h', y: -0.2 },
    hovermode: 'closest',
  };
}

/** Draws a band as its lower edge, then the upper edge filled down to the lower one. */
function bandTraces(series: Series, colour: string): PlotlyObject[] {
  if (!series.band) return [];
  const edge = { mode: 'lines', line: { width: 0, color: colour }, showlegend: false, hoverinfo: 'skip', legendgroup: plotlyText(series.name) };
  return [
    { type: 'scatter', x: series.x, y: series.band.low, name: plotlyText(`${series.name} (low)`), ...edge },
    {
      type: 'scatter',
      x: series.x,
      y: series.band.high,
      name: plotlyText(`${series.name} (high)`),
      fill: 'tonexty',
      fillcolor: translucent(colour, BAND_OPACITY),
      ...edge,
    },
  ];
}

function seriesTraces(seriesList: Series[], defaultMode: Series['mode']): PlotlyObject[] {
  return seriesList.flatMap((series, index) => {
    const colour = colourOf(series.colour ?? index);
    const mode = series.mode ?? defaultMode;
    return [
      ...bandTraces(series, colour),
      {
        type: 'scatter',
        mode,
        name: plotlyText(series.name),
        x: series.x,
        y: series.y,
        legendgroup: plotlyText(series.name),
        line: { color: colour, dash: series.dash ? 'dash' : 'solid' },
        marker: { color: colour, size: 5 },
      },
    ];
  });
}

function lineSpec(figure: LineFigure): PlotlySpec {
  const shapes = (figure.markers ?? []).map((marker) => {
    // Shapes take data coordinates on both linear and log axes.
    const across = marker.axis === 'x'
      ? { xref: 'x', yref: 'paper', x0: marker.value, x1: marker.value, y0: 0, y1: 1 }
      : { xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: marker.value, y1: marker.value };
    return {
      type: 'line',
      ...across,
      line: { color: '#444', width: 1, dash: 'dot' },
      label: { text: plotlyText(marker.label), textposition: 'end', font: { size: 11, color: '#444' } },
    };
  });
  return {
    data: seriesTraces(figure.series, 'lines'),
    layout: { ...baseLayout(figure.title), xaxis: axisLayout(figure.x), yaxis: axisLayout(figure.y), shapes },
  };
}

function scatterSpec(figure: ScatterFigure): PlotlySpec {
  const yaxis = axisLayout(figure.y);
  if (figure.equalAxes) {
    yaxis.scaleanchor = 'x';
    yaxis.scaleratio = 1;
  }
  return {
    data: seriesTraces(figure.series, 'markers'),
    layout: { ...baseLayout(figure.title), xaxis: axisLayout(figure.x), yaxis },
  };
}

function heatmapSpec(figure: HeatmapFigure): PlotlySpec {
  return {
    data: [
      {
        type: 'heatmap',
        x: figure.x.values,
        y: figure.y.values,
        z: figure.z,
        colorscale: 'Viridis',
        colorbar: { title: { text: plotlyText(figure.colorbarTitle) }, exponentformat: 'e' },
        hovertemplate: `${plotlyText(figure.x.title)}: %{x}<br>${plotlyText(figure.y.title)}: %{y}<br>${plotlyText(figure.colorbarTitle)}: %{z:${NUMBER_FORMAT}}<extra></extra>`,
      },
    ],
    layout: { ...baseLayout(figure.title), xaxis: axisLayout(figure.x), yaxis: axisLayout(figure.y) },
  };
}

function barSpec(figure: BarFigure): PlotlySpec {
  const data = figure.series.map((series, index) => ({
    type: 'bar',
    name: plotlyText(series.name),
    x: figure.x.categories.map(plotlyText),
    y: series.values,
    marker: { color: colourOf(index) },
  }));
  const xaxis = { ...axisLayout(figure.x), type: 'category' };
  return { data, layout: { ...baseLayout(figure.title), barmode: 'group', xaxis, yaxis: axisLayout(figure.y) } };
}

function imageSpec(figure: ImageGridFigure): PlotlySpec {
  const mosaic = imageGridToPng(figure);
  const hidden = { visible: false };
  return {
    data: [{ type: 'image', source: mosaic.dataUri, hoverinfo: 'skip' }],
    layout: {
      ...baseLayout(figure.title),
      // Keeps square pixels: the plot area takes the mosaic's aspect ratio.
      height: Math.min(900, Math.max(200, Math.round((600 * mosaic.height) / mosaic.width) + 60)),
      margin: { t: 50, r: 10, b: 10, l: 10 },
      xaxis: hidden,
      yaxis: { ...hidden, scaleanchor: 'x' },
    },
  };
}

export function figureToPlotly(figure: Figure): PlotlySpec {
  switch (figure.kind) {
    case 'line':
      return lineSpec(figure);
    case 'scatter':
      return scatterSpec(figure);
    case 'heatmap':
      return heatmapSpec(figure);
    case 'bar':
      return barSpec(figure);
    case 'images':
      return imageSpec(figure);
    default: {
      const unknown = figure as { kind?: unknown };
      throw new TypeError(`figureToPlotly: unknown figure kind ${JSON.stringify(unknown.kind)}; expected line, scatter, heatmap, bar or images`);
    }
  }
}
