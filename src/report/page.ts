/**
 * Renders the report as one HTML page that works offline. Every figure's data is inlined
 * as JSON and drawn by the plotly.js bundle copied beside the page. A content security
 * policy forbids the page from loading anything from the network.
 */
import type { Figure, Section, Table } from '../figures.ts';
import type { ClaimOutcome } from '../claims/claim.ts';
import type { PropertyRecord } from '../claims/evidence.ts';
import type { RunSummary } from '../../experiments/experiment.ts';
import { CIFAR10_CLASSIFIER_FRECHET_NAME } from '../../experiments/image-datasets/classMetrics.ts';
import { DIFFERENCES_FROM_PAPER_CODE } from './differences.ts';
import { escapeHtml, formatDuration, formatNumber } from './format.ts';
import { figureToPlotly, type PlotlySpec } from './plotlyFigure.ts';
import type { ReportData } from './reportData.ts';
import { CLASSIFIER_FRECHET_NAME } from '../metrics/sampleMetrics.ts';
import { INCEPTION_FID_NAME } from '../metrics/inceptionFid.ts';

/** File name of the plotly.js bundle, in the same folder as the page. */
export const PLOTLY_FILE = 'plotly.js';

/**
 * Scripts from the page's own folder and inline; images and fonts only from data: URIs
 * (the image mosaics); no connections of any kind.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:";

interface FigureSlot extends PlotlySpec {
  id: string;
}

/** Collects the plotly specs while the sections render, so the page inlines them once. */
class FigureCollector {
  readonly slots: FigureSlot[] = [];

  render(figure: Figure): string {
    const id = `figure-${this.slots.length + 1}`;
    let spec: PlotlySpec;
    try {
      spec = figureToPlotly(figure);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return `<div class="figure-error">Figure “${escapeHtml(figure.title)}” could not be drawn: ${escapeHtml(message)}</div>`;
    }
    this.slots.push({ id, ...spec });
    return `<figure class="figure" data-kind="${figure.kind}"><div id="${id}" class="plot"></div></figure>`;
  }
}

function cell(value: string | number): string {
  return typeof value === 'number'
    ? `<td class="number">${escapeHtml(formatNumber(value))}</td>`
    : `<td>${escapeHtml(value)}</td>`;
}

function renderTable(table: Table): string {
  const head = table.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
  const body = table.rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('\n');
  return `<table class="data"><caption>${escapeHtml(table.title)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function renderSection(section: Section, anchor: string, origin: string, figures: FigureCollector): string {
  const paragraphs = section.text.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n');
  return [
    `<section id="${anchor}" class="part">`,
    `<h2>${escapeHtml(section.title)}</h2>`,
    `<p class="origin">${escapeHtml(origin)}</p>`,
    paragraphs,
    ...section.figures.map((figure) => figures.render(figure)),
    ...section.tables.map(renderTable),
    '</section>',
  ].join('\n');
}

function renderClaims(claims: ClaimOutcome[]): string {
  const rows = claims.map((claim) => {
    const verdictClass = claim.verdict.replace(' ', '-');
    const items = claim.sources.map((source) => `<li>${escapeHtml(source)}</li>`).join('');
    const sources = claim.sources.length === 0
      ? ''
      : `<details class="sources"><summary>Sources (${claim.sources.length})</summary><ul>${items}</ul></details>`;
    return `<tr id="claim-${escapeHtml(claim.id)}"><td>${escapeHtml(claim.id)}</td><td>${escapeHtml(claim.title)}</td>` +
      `<td class="verdict ${verdictClass}">${escapeHtml(claim.verdict)}</td>` +
      `<td>${escapeHtml(claim.evidence)}${sources}</td></tr>`;
  });
  return [
    '<section id="claims" class="part"><h2>Claims</h2>',
    '<p>Each verdict is computed in this command from the properties, simulations and training runs named in its evidence.</p>',
    '<table class="claims"><thead><tr><th>Claim</th><th>Statement</th><th>Verdict</th><th>Evidence</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></section>',
  ].join('\n');
}

function renderProperties(records: PropertyRecord[], seed: number): string {
  if (records.length === 0) return '';
  const rows = records.map((record) => {
    const outcome = record.passed
      ? '<td class="verdict held">passed</td>'
      : '<td class="verdict not-held">failed</td>';
    const failure = record.passed ? '' : [record.counterexample, record.error].filter(Boolean).join(' — ');
    return `<tr><td>${escapeHtml(record.claim)}</td><td>${escapeHtml(record.name)}</td>${outcome}` +
      `<td class="number">${record.numRuns}</td><td class="number">${escapeHtml(formatDuration(record.seconds))}</td>` +
      `<td>${escapeHtml(failure)}</td></tr>`;
  });
  return [
    '<section id="properties" class="part"><h2>Properties</h2>',
    `<p>Every claim property, run with fast-check seed ${seed}. Rerun one with the same seed to reproduce a failure.</p>`,
    '<table class="data"><thead><tr><th>Claim</th><th>Property</th><th>Result</th><th>Runs</th><th>Time</th><th>Counterexample</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></section>',
  ].join('\n');
}

function renderRuns(runs: RunSummary[]): string {
  if (runs.length === 0) return '';
  const rows = runs.map((run) => {
    const metrics = Object.entries(run.metrics)
      .sort(([left], [right]) => left.localeCompare(right))
      .map(([key, value]) => `${key}=${formatNumber(value)}`)
      .join(' ');
    return `<tr><td>${escapeHtml(run.id)}</td><td>${escapeHtml(run.experiment)}</td><td>${escapeHtml(run.status)}</td>` +
      `<td>${escapeHtml(run.backend.name)}</td><td class="config">${escapeHtml(JSON.stringify(run.config))}</td>` +
      `<td>${escapeHtml(metrics)}</td></tr>`;
  });
  return [
    '<section id="runs" class="part"><h2>Training runs</h2>',
    '<table class="data"><thead><tr><th>Run</th><th>Experiment</th><th>Status</th><th>Backend</th><th>Config</th><th>Final metrics</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></section>',
  ].join('\n');
}

/** Describes the runs' summed machine time, which includes earlier sessions when the report resumed stored runs. */
function runsMachineTime(data: ReportData): string {
  const runs = data.experiments.flatMap((result) => result.runs);
  const seconds = runs.reduce((sum, run) => sum + (run.machineSeconds ?? 0), 0);
  if (seconds === 0) return '';
  return `<dt>Training time</dt><dd>${escapeHtml(formatDuration(seconds))} of machine time in ${runs.length} ${runs.length === 1 ? 'run' : 'runs'}, over every session that trained them</dd>`;
}

function renderHeader(data: ReportData): string {
  const backend = data.backend;
  const threads = `${backend.threads} ${backend.threads === 1 ? 'thread' : 'threads'}`;
  const skipped = backend.skipped.length === 0
    ? ''
    : `<dt>Backends not loaded</dt><dd>${escapeHtml(backend.skipped.join('; '))}</dd>`;
  const differences = DIFFERENCES_FROM_PAPER_CODE.map((text) => `<li>${escapeHtml(text)}</li>`).join('\n');
  return [
    '<header>',
    '<h1>gan-dynamics report</h1>',
    '<dl class="provenance">',
    `<dt>Generated</dt><dd>${escapeHtml(data.generated)}</dd>`,
    `<dt>Suite</dt><dd>${escapeHtml(data.suite)} (experiments at scale ${escapeHtml(data.scale)})</dd>`,
    `<dt>Wall time</dt><dd>${escapeHtml(formatDuration(data.seconds))}</dd>`,
    runsMachineTime(data),
    `<dt>Backend</dt><dd>${escapeHtml(backend.name)}: ${escapeHtml(backend.package)} ${escapeHtml(backend.version)}, ${threads}</dd>`,
    skipped,
    `<dt>Property seed</dt><dd>${data.seed}</dd>`,
    `<dt>Feature networks</dt><dd>${escapeHtml(describeFeatureNetworks(data.inception))}</dd>`,
    '</dl>',
    '<h2>Where this project differs from the paper\'s code on purpose</h2>',
    `<ul class="differences">\n${differences}\n</ul>`,
    '</header>',
  ].join('\n');
}

/**
 * Names the network behind every Fréchet distance once, so that no distance on other
 * features is read as FID.
 */
function describeFeatureNetworks(inception: string | null): string {
  const classifiers =
    `MNIST figures use the ${CLASSIFIER_FRECHET_NAME} and CIFAR-10 figures the ${CIFAR10_CLASSIFIER_FRECHET_NAME}, ` +
    'each from a classifier this suite trains.';
  if (inception === null) {
    return `FID: not run, because no InceptionV3 graph model was given (report --inception DIR). ${classifiers}`;
  }
  return `${INCEPTION_FID_NAME} from the graph model in ${inception}. ${classifiers}`;
}

function renderFailures(data: ReportData): string {
  if (data.failures.length === 0) return '';
  const items = data.failures.map((failure) => `<li><b>${escapeHtml(failure.part)}</b>: ${escapeHtml(failure.message)}</li>`);
  return `<section id="failures" class="part failures"><h2>Failures</h2><ul>\n${items.join('\n')}\n</ul></section>`;
}

function renderSkipped(data: ReportData): string {
  if (data.skippedExperiments.length === 0) return '';
  const items = data.skippedExperiments.map((skip) => `<li>${escapeHtml(skip.name)}: ${escapeHtml(skip.reason)}</li>`);
  return `<section id="not-run" class="part"><h2>Experiments not run at this scale</h2><ul>\n${items.join('\n')}\n</ul></section>`;
}

/** Makes a section id safe for an HTML id and unique within the page. */
function anchorFor(prefix: string, id: string, used: Set<string>): string {
  const base = `${prefix}-${id.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
  let anchor = base;
  for (let counter = 2; used.has(anchor); counter++) anchor = `${base}-${counter}`;
  used.add(anchor);
  return anchor;
}

/** JSON inside a script element must not contain "</script>" or an HTML comment opener. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 1.5em 4em; color: #222; }
h1 { margin-top: 1em; }
dl.provenance { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; }
dl.provenance dt { font-weight: 600; }
dl.provenance dd { margin: 0; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.config { font-family: monospace; font-size: 0.85em; word-break: break-all; }
td.verdict { font-weight: 700; white-space: nowrap; }
table.claims th:nth-child(1) { width: 3.5em; }
table.claims th:nth-child(2) { width: 30%; }
table.claims th:nth-child(3) { width: 6em; }
td.verdict.held { color: #126b21; background: #e5f5e8; }
td.verdict.not-held { color: #a01010; background: #fbe5e5; }
td.verdict.not-run { color: #555; background: #eee; }
.sources { color: #666; font-size: 0.85em; margin-top: 0.3em; }
.sources ul { margin: 0.2em 0; padding-left: 1.2em; }
.origin { color: #666; font-size: 0.9em; }
section.part { border-top: 1px solid #ddd; margin-top: 2em; }
figure.figure { margin: 1em 0; }
.figure-error, .failures { color: #a01010; }
nav ul { columns: 2; }
`;

const DRAW_SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById('figure-specs').textContent);
  if (typeof Plotly === 'undefined') {
    console.error('plotly.js did not load; it must sit beside this page as ${PLOTLY_FILE}');
    specs.forEach(function (spec) {
      document.getElementById(spec.id).textContent = 'This figure needs ${PLOTLY_FILE} in the same folder as the page.';
    });
    return;
  }
  var config = { displaylogo: false, responsive: true };
  var drawing = specs.map(function (spec) {
    return Plotly.newPlot(spec.id, spec.data, spec.layout, config).catch(function (error) {
      console.error('figure ' + spec.id + ' failed: ' + error);
    });
  });
  // Marks the page once every figure has been drawn or has failed, for scripted viewers.
  Promise.all(drawing).then(function () {
    document.body.setAttribute('data-figures', 'drawn');
  });
})();
`;

export function renderReportPage(data: ReportData): string {
  const figures = new FigureCollector();
  const used = new Set<string>();
  const contents: string[] = [];
  const parts: string[] = [];

  for (const record of data.simulations) {
    const anchor = anchorFor('simulation', record.section.id, used);
    contents.push(`<li><a href="#${anchor}">${escapeHtml(record.section.title)}</a></li>`);
    parts.push(renderSection(record.section, anchor, `Simulation ${record.name}, ${formatDuration(record.seconds)}.`, figures));
  }
  for (const result of data.experiments) {
    result.sections.forEach((section) => {
      const anchor = anchorFor('experiment', section.id, used);
      contents.push(`<li><a href="#${anchor}">${escapeHtml(section.title)}</a></li>`);
      const origin = `Experiment ${result.experiment} at scale ${result.scale}, ${formatDuration(result.seconds)}, ${result.runs.length} runs.`;
      parts.push(renderSection(section, anchor, origin, figures));
    });
  }
  const runs = data.experiments.flatMap((result) => result.runs);

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gan-dynamics report: ${escapeHtml(data.suite)}, ${escapeHtml(data.generated)}</title>
<style>${STYLE}</style>
</head>
<body>
${renderHeader(data)}
${renderFailures(data)}
${renderClaims(data.claims)}
<nav><h2>Contents</h2><ul>
<li><a href="#properties">Properties</a></li>
${contents.join('\n')}
${data.skippedExperiments.length > 0 ? '<li><a href="#not-run">Experiments not run at this scale</a></li>' : ''}
${runs.length > 0 ? '<li><a href="#runs">Training runs</a></li>' : ''}
</ul></nav>
${renderProperties(data.properties, data.seed)}
${parts.join('\n')}
${renderSkipped(data)}
${renderRuns(runs)}
<script id="figure-specs" type="application/json">${scriptJson(figures.slots)}</script>
<script src="${PLOTLY_FILE}"></script>
<script>${DRAW_SCRIPT}</script>
</body>
</html>
`;
}
