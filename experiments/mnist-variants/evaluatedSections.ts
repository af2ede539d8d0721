/**
 * Figures and tables shared by the experiments that compare costs by class coverage on
 * MNIST: D_JS^CD and the Fréchet distance on the MNIST classifier's features during
 * training (median over seeds, min–max band), and a table of late and best values.
 */
import type { LineFigure, Series, Table } from '../../src/figures.ts';
import { CLASSIFIER_FRECHET_NAME } from '../../src/metrics/sampleMetrics.ts';
import { formatNumber, medianSeries, type LoadedRun } from '../mnist-coverage/mnistRuns.ts';
import { bestSummary, lateSummary, type SeedSummary } from './seedSummaries.ts';
import { describeCompletion } from '../experimentRuns.ts';

/** Runs of one variant, under the label figures and tables show. */
export interface LabelledRuns {
  label: string;
  runs: LoadedRun[];
}

export const DIVERGENCE_KEY = 'classDivergence';
export const FRECHET_KEY = 'frechetDistance';

function metricFigure(groups: LabelledRuns[], key: string, title: string, yTitle: string): LineFigure {
  const series = groups.map((group) => medianSeries(group.label, group.runs, key));
  return {
    kind: 'line',
    title: `${title} (median over seeds, band: min–max)`,
    x: { title: 'training step (G updates)' },
    y: { title: yTitle },
    series: series.filter((entry): entry is Series => entry !== undefined),
  };
}

/** D_JS^CD and the Fréchet distance during training, one line per group. */
export function coverageFigures(groups: LabelledRuns[], subject: string): LineFigure[] {
  return [
    metricFigure(groups, DIVERGENCE_KEY, `${subject}: class divergence D_JS^CD during training`, 'D_JS^CD (bits)'),
    metricFigure(groups, FRECHET_KEY, `${subject}: ${CLASSIFIER_FRECHET_NAME} during training`, CLASSIFIER_FRECHET_NAME),
  ];
}

/** Shows a seed summary as "median (min–max)" with four significant digits. */
export function showRange(summary: SeedSummary | undefined): string {
  if (summary === undefined) return '–';
  if (summary.seeds === 1) return formatNumber(summary.median);
  return `${formatNumber(summary.median)} (${formatNumber(summary.low)}–${formatNumber(summary.high)})`;
}

/**
 * Builds a table of late values (mean of the last three evaluations) and best values (lowest
 * evaluation) of D_JS^CD and the Fréchet distance, median (min–max) over seeds. Extra
 * columns come first, after the label.
 */
export function coverageTable(title: string, groups: LabelledRuns[], extra?: { columns: string[]; cells: (group: LabelledRuns) => string[] }): Table {
  return {
    title,
    columns: [
      'variant',
      ...(extra?.columns ?? []),
      'late D_JS^CD',
      'best D_JS^CD',
      `late ${CLASSIFIER_FRECHET_NAME}`,
      `best ${CLASSIFIER_FRECHET_NAME}`,
      'runs complete',
    ],
    rows: groups.map((group) => [
      group.label,
      ...(extra?.cells(group) ?? []),
      showRange(lateSummary(group.runs, DIVERGENCE_KEY)),
      showRange(bestSummary(group.runs, DIVERGENCE_KEY)),
      showRange(lateSummary(group.runs, FRECHET_KEY)),
      showRange(bestSummary(group.runs, FRECHET_KEY)),
      describeCompletion(group.runs.map((run) => run.status)),
    ]),
  };
}
