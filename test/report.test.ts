import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs';
import type { Experiment } from '../experiments/experiment.ts';
import '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { runSuite } from '../src/report/suite.ts';
import { writeReport } from '../src/report/writeReport.ts';
import { renderReportPage } from '../src/report/page.ts';
import { figureToPlotly } from '../src/report/plotlyFigure.ts';
import { imageGridToPng } from '../src/report/imageGrid.ts';
import { escapeHtml, formatDuration, formatNumber } from '../src/report/format.ts';
import { describeProgress, PLAIN_STATUS_INTERVAL, ProgressLog } from '../src/report/progress.ts';
import { sectionToText } from '../src/report/textSummary.ts';
import { DIFFERENCES_FROM_PAPER_CODE } from '../src/report/differences.ts';
import type { ReportData } from '../src/report/reportData.ts';
import type { ImageGridFigure, LineFigure } from '../src/figures.ts';
import {
  AXIS_TITLES,
  everyFigureSection,
  FAILING_PROPERTY,
  FIXTURE_BACKEND,
  FIXTURE_RUN,
  fixtureExperiment,
  fixtureSimulation,
  gpuOnlyExperiment,
  HOSTILE_TEXT,
  PASSING_PROPERTY,
} from './reportFixtures.ts';

/** Builds a progress log that discards its output. */
function silentLog(): ProgressLog {
  return new ProgressLog({ write: () => true, isTTY: false });
}

async function fixtureData(): Promise<ReportData> {
  return runSuite(
    {
      properties: [PASSING_PROPERTY, FAILING_PROPERTY],
      simulations: [fixtureSimulation()],
      experiments: [fixtureExperiment(), gpuOnlyExperiment()],
    },
    { suite: 'quick', backend: FIXTURE_BACKEND, runsDir: os.tmpdir(), seed: 7, log: silentLog() },
  );
}

/** Parses the figure specs that the page hands to plotly back from its JSON script element. */
function figureSpecs(html: string): { id: string; data: Record<string, unknown>[]; layout: Record<string, any> }[] {
  const match = /<script id="figure-specs" type="application\/json">(.*?)<\/script>/s.exec(html);
  assert.ok(match, 'the page has a figure-specs script element');
  return JSON.parse(match[1]);
}

test('every figure kind renders with its axis titles', async () => {
  const html = renderReportPage(await fixtureData());

  const specs = figureSpecs(html);

  assert.is(specs.length, 5);
  for (const kind of ['line', 'scatter', 'heatmap', 'bar', 'images']) {
    assert.ok(html.includes(`data-kind="${kind}"`), `a ${kind} figure is in the page`);
  }
  const axisTitles = specs.flatMap((spec) => [spec.layout.xaxis?.title?.text, spec.layout.yaxis?.title?.text]);
  for (const title of Object.values(AXIS_TITLES)) {
    assert.ok(axisTitles.includes(title), `axis title "${title}" is in the figure specs`);
  }
  for (const spec of specs) assert.ok(html.includes(`id="${spec.id}"`), `figure ${spec.id} has a div`);
});

test('line figure: band, log axis and marker', () => {
  const line = everyFigureSection().figures[0] as LineFigure;

  const spec = figureToPlotly(line);

  // Band edges first (low, then high filled down to low), then the median line; then the dashed series.
  assert.is(spec.data.length, 4);
  assert.equal(spec.data[0].y, line.series[0].band!.low);
  assert.is(spec.data[1].fill, 'tonexty');
  assert.equal(spec.data[1].y, line.series[0].band!.high);
  assert.equal(spec.data[2].y, line.series[0].y);
  assert.is((spec.data[3].line as { dash: string }).dash, 'dash');
  const layout = spec.layout as Record<string, any>;
  assert.is(layout.yaxis.type, 'log');
  assert.is(layout.xaxis.type, 'linear');
  assert.is(layout.shapes.length, 1);
  assert.is(layout.shapes[0].x0, 20);
  assert.is(layout.shapes[0].label.text, 'a = ½ ln β2');
});

test('series with the same colour index share a colour', () => {
  const figure: LineFigure = {
    kind: 'line',
    title: 'logits',
    x: { title: 'step' },
    y: { title: 'mean D_l' },
    series: [
      { name: 'NS real', x: [0], y: [1], colour: 0 },
      { name: 'NS generated', x: [0], y: [-1], colour: 0, dash: true },
      { name: 'MM real', x: [0], y: [2], colour: 1 },
    ],
  };

  const colours = figureToPlotly(figure).data.map((trace) => (trace.line as { color: string }).color);

  assert.is(colours[0], colours[1]);
  assert.is.not(colours[0], colours[2]);
});

test('log axis range is given to plotly in log10 units', () => {
  const figure: LineFigure = {
    kind: 'line',
    title: 'range',
    x: { title: 'step' },
    y: { title: 'size', log: true, range: [1e-6, 1e2] },
    series: [{ name: 's', x: [0, 1], y: [1, 2] }],
  };

  const layout = figureToPlotly(figure).layout as Record<string, any>;

  assert.equal(layout.yaxis.range, [-6, 2]);
});

test('plotly labels escape markup', () => {
  const figure: LineFigure = {
    kind: 'line',
    title: '<b>x</b> & y',
    x: { title: 'a < b' },
    y: { title: 'c > d' },
    series: [{ name: '<a href="x">s</a>', x: [0], y: [0] }],
  };

  const spec = figureToPlotly(figure);
  const layout = spec.layout as Record<string, any>;

  assert.is(layout.title.text, '&lt;b&gt;x&lt;/b&gt; &amp; y');
  assert.is(layout.xaxis.title.text, 'a &lt; b');
  assert.is(spec.data[0].name, '&lt;a href="x"&gt;s&lt;/a&gt;');
});

test('unknown figure kind is a TypeError naming it', () => {
  const figure = { kind: 'pie', title: 'p' } as unknown as LineFigure;

  assert.throws(() => figureToPlotly(figure), (error: Error) => error instanceof TypeError && error.message.includes('"pie"'));
});

test('image grid mosaic: layout and pixel values', () => {
  const figure = everyFigureSection().figures[4] as ImageGridFigure;

  const mosaic = imageGridToPng(figure);
  const png = PNG.sync.read(Buffer.from(mosaic.dataUri.replace('data:image/png;base64,', ''), 'base64'));

  // Two columns and two rows of 4×4 images with a 2-pixel gap: 10×10.
  assert.is(mosaic.width, 10);
  assert.is(mosaic.height, 10);
  assert.is(png.width, 10);
  const pixel = (x: number, y: number) => png.data[(y * png.width + x) * 4];
  assert.is(pixel(0, 0), 0, 'first image is black');
  assert.is(pixel(6, 0), 64, 'second image is 0.25 gray');
  assert.is(pixel(0, 6), 128, 'third image is 0.5 gray');
  assert.is(pixel(9, 9), 255, 'fourth image is white');
  assert.is(pixel(4, 0), 255, 'gap is background');
});

test('image grid with no images is a RangeError', () => {
  const figure: ImageGridFigure = { kind: 'images', title: 'empty', images: [], columns: 2 };

  assert.throws(() => imageGridToPng(figure), RangeError);
});

test('claims table shows each verdict with its class', async () => {
  const html = renderReportPage(await fixtureData());

  const row = (id: string) => new RegExp(`<tr id="claim-${id}">.*?</tr>`, 's').exec(html)?.[0] ?? '';

  assert.match(row('C1'), /class="verdict held">held</);
  assert.match(row('C2'), /class="verdict not-held">not held</);
  assert.match(row('C2'), /\[11\]/, 'C2 shows the shrunk counterexample');
  assert.match(row('C3'), /class="verdict not-run">not run</);
  assert.match(row('C12'), /class="verdict held">held</);
  assert.match(row('C17'), /class="verdict not-held">not held</);
  assert.match(row('C18'), /fixture-cifar runs it at scale gpu \(suite paper-gpu\)/);
  assert.ok(html.indexOf('id="claims"') < html.indexOf('id="properties"'), 'claims come before the sections');
});

test('header: time, backend, suite, wall time, differences', async () => {
  const data = await fixtureData();

  const html = renderReportPage(data);

  assert.ok(html.includes(data.generated));
  assert.ok(html.includes('cpu: @tensorflow/tfjs-backend-cpu 4.22.0, 1 thread'));
  assert.ok(html.includes('@tensorflow/tfjs-node: not installed'));
  assert.ok(html.includes('quick (experiments at scale quick)'));
  assert.ok(html.includes('<dt>Wall time</dt>'));
  // A resumed report spends seconds, while its runs took minutes in earlier sessions.
  assert.ok(html.includes('<dt>Training time</dt><dd>12 min 34 s of machine time in 1 run,'), 'machine time of the runs');
  for (const link of ['#runs', '#not-run']) assert.ok(html.includes(`<li><a href="${link}">`), `contents link to ${link}`);
  for (const difference of DIFFERENCES_FROM_PAPER_CODE) assert.ok(html.includes(escapeHtml(difference)), difference);
});

test('page escapes text and loads nothing over http(s)', async () => {
  const html = renderReportPage(await fixtureData());

  assert.not.ok(html.includes(HOSTILE_TEXT), 'raw markup from a section is not in the page');
  assert.ok(html.includes('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>'));
  assert.not.match(html, /https?:\/\//);
  assert.match(html, /<script src="plotly\.js"><\/script>/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

test('JSON in the page cannot close its script element', async () => {
  const data = await fixtureData();
  const section = everyFigureSection();
  section.figures[0].title = '</script><script>alert(1)</script>';
  data.simulations[0].section = section;

  const html = renderReportPage(data);

  const json = /<script id="figure-specs" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
  assert.ok(json.includes('\\u003cbr>'), 'the heatmap hover template keeps its line break, escaped');
  assert.not.ok(json.includes('<'), 'no raw < inside the JSON');
  assert.is(html.split('</script>').length - 1, 3, 'only the three script elements close');
  assert.is(figureSpecs(html)[0].layout.title.text, '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
});

test('writeReport writes index.html, plotly.js and results.json', async () => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'report-'));
  try {
    const data = await fixtureData();

    const files = await writeReport(path.join(out, 'nested'), data);

    const names = (await readdir(path.join(out, 'nested'))).sort();
    assert.equal(names, ['index.html', 'plotly.js', 'results.json'], 'no temporary files are left');
    assert.ok((await stat(files.plotly)).size > 1_000_000, 'plotly.js is the full bundle');
    const results = JSON.parse(await readFile(files.results, 'utf8'));
    assert.is(results.format, 1);
    assert.match(results.packageVersion, /^\d+\.\d+\.\d+/);
    assert.is(results.generated, data.generated);
    assert.ok(!Number.isNaN(Date.parse(results.generated)));
    assert.equal(results.backend, FIXTURE_BACKEND);
    assert.is(results.suite, 'quick');
    assert.type(results.seconds, 'number');
    assert.is(results.claims.length, 19);
    assert.equal(Object.keys(results.claims[0]).sort(), ['evidence', 'id', 'sources', 'title', 'verdict']);
    assert.is(results.claims[1].verdict, 'not held');
    assert.is(results.simulations[0].name, 'fixture-figures');
    assert.is(results.simulations[0].result.steps, 3);
    assert.equal(results.simulations[0].evidence, []);
    assert.equal(results.runs, [FIXTURE_RUN]);
    assert.equal(results.differencesFromPaperCode, DIFFERENCES_FROM_PAPER_CODE);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('suite records experiments skipped at its scale', async () => {
  const data = await fixtureData();

  assert.equal(data.skippedExperiments, [{ name: 'fixture-cifar', reason: 'runs at scale gpu only' }]);
  assert.is(data.experiments.length, 1);
  assert.equal(data.failures, []);
});

test('suite runs only the selected experiments and lists the rest as not selected', async () => {
  const quickCifar: Experiment = { ...gpuOnlyExperiment(), scales: ['quick'] };
  const data = await runSuite(
    { properties: [], simulations: [], experiments: [fixtureExperiment(), quickCifar] },
    { suite: 'quick', backend: FIXTURE_BACKEND, runsDir: os.tmpdir(), seed: 1, log: silentLog(), only: ['fixture-ring'] },
  );

  assert.equal(data.experiments.map((result) => result.experiment), ['fixture-ring']);
  assert.equal(data.skippedExperiments, [{ name: 'fixture-cifar', reason: 'not selected: this report ran only fixture-ring' }]);
  const c18 = data.claims.find((claim) => claim.id === 'C18')!;
  assert.is(c18.verdict, 'not run');
  assert.match(c18.evidence, /^Not selected: experiment fixture-cifar measures it at scale quick/);
});

test('claims of a failed experiment name its error', async () => {
  const failing: Experiment = {
    ...gpuOnlyExperiment(),
    scales: ['quick'],
    run: async () => {
      throw new Error('ENOTDIR: not a directory');
    },
  };
  const data = await runSuite(
    { properties: [], simulations: [], experiments: [failing] },
    { suite: 'quick', backend: FIXTURE_BACKEND, runsDir: os.tmpdir(), seed: 1, log: silentLog() },
  );

  const c18 = data.claims.find((claim) => claim.id === 'C18')!;
  assert.is(c18.verdict, 'not run');
  assert.match(c18.evidence, /^Failed: experiment fixture-cifar stopped with an error at scale quick \(ENOTDIR: not a directory\)/);
});

test('the page says once which network every Fréchet distance used', async () => {
  const without = renderReportPage(await fixtureData());
  const withInception = renderReportPage({ ...(await fixtureData()), inception: '/models/inception-v3' });

  assert.is(without.split('FID: not run').length - 1, 1);
  assert.match(without, /report --inception DIR/);
  assert.match(withInception, /FID \(InceptionV3 pool features\) from the graph model in \/models\/inception-v3/);
  assert.not.match(withInception, /FID: not run/);
});

test('suite turns a throwing simulation into a failure', async () => {
  const broken = { ...fixtureSimulation(), name: 'broken', run: () => { throw new Error('diverged at step 3'); } };

  const data = await runSuite(
    { properties: [], simulations: [broken, fixtureSimulation()], experiments: [] },
    { suite: 'quick', backend: FIXTURE_BACKEND, runsDir: os.tmpdir(), seed: 1, log: silentLog() },
  );

  assert.equal(data.failures, [{ part: 'simulation broken', message: 'diverged at step 3' }]);
  assert.is(data.simulations.length, 1);
  assert.match(renderReportPage(data), /id="failures"/);
});

test('suite stops when its signal is aborted', async () => {
  const controller = new AbortController();
  controller.abort(new Error('interrupted by SIGINT'));

  const running = runSuite(
    { properties: [PASSING_PROPERTY], simulations: [fixtureSimulation()], experiments: [] },
    { suite: 'quick', backend: FIXTURE_BACKEND, runsDir: os.tmpdir(), seed: 1, log: silentLog(), signal: controller.signal },
  );

  try {
    await running;
    assert.unreachable('an aborted suite must reject');
  } catch (error) {
    assert.is((error as Error).message, 'interrupted by SIGINT');
  }
});

test('suite restores the selected backend after the properties', async () => {
  await tf.ready();
  const previous = tf.getBackend();
  await tf.setBackend('wasm');
  const switchesToCpu = {
    claim: 'C1',
    name: 'switches to cpu',
    numRuns: 1,
    property: () => fc.asyncProperty(fc.constant(0), async () => tf.setBackend('cpu')),
  };
  let backendDuringSimulation = '';
  const probe = { ...fixtureSimulation(), run: () => { backendDuringSimulation = tf.getBackend(); return {}; } };

  await runSuite(
    { properties: [switchesToCpu], simulations: [probe], experiments: [] },
    { suite: 'quick', backend: { ...FIXTURE_BACKEND, name: 'wasm' }, runsDir: os.tmpdir(), seed: 1, log: silentLog() },
  );

  assert.is(backendDuringSimulation, 'wasm');
  await tf.setBackend(previous);
});

test('formatNumber: magnitude decides the notation', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [42, '42'],
    [0.5, '0.5'],
    [0.123456, '0.1235'],
    [3.2e-9, '3.2e-9'],
    [-0.001234567, '-1.235e-3'],
    [12345678.9, '1.235e+7'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ];

  for (const [value, expected] of cases) assert.is(formatNumber(value), expected, `formatNumber(${value})`);
});

test('formatDuration: seconds, minutes, hours', () => {
  assert.is(formatDuration(4.25), '4.3 s');
  assert.is(formatDuration(185), '3 min 05 s');
  assert.is(formatDuration(3720), '1 h 02 min');
});

test('formatDuration: rounding never shows 60 s', () => {
  assert.is(formatDuration(59.97), '1 min 00 s');
  assert.is(formatDuration(1499.7), '25 min 00 s');
  assert.is(formatDuration(3599.8), '1 h 00 min');
});

test('progress: plain lines off a terminal, redraws on one', () => {
  let clock = 0;
  const plain: string[] = [];
  const log = new ProgressLog({ write: (text: string) => plain.push(text), isTTY: false }, () => clock);
  const drawn: string[] = [];
  const terminal = new ProgressLog({ write: (text: string) => drawn.push(text), isTTY: true, columns: 80 });

  log.status('step 1');
  clock += PLAIN_STATUS_INTERVAL / 2;
  log.status('step 2');
  clock += PLAIN_STATUS_INTERVAL;
  log.status('step 3');
  log.info('done');
  terminal.status('step 1');
  terminal.info('done');

  assert.equal(plain, ['step 1\n', 'step 3\n', 'done\n']);
  assert.not.ok(plain.join('').includes('\r'));
  assert.equal(drawn, ['\r\x1b[Kstep 1', '\r\x1b[K', 'done\n']);
});

test('describeProgress estimates the time left', () => {
  assert.is(describeProgress(1, 4, 0, 30), '1/4, elapsed 30.0 s, about 1 min 30 s left');
  assert.is(describeProgress(4, 4, 0, 30), '4/4, elapsed 30.0 s');
});

test('describeProgress counts runs in progress by their share', () => {
  assert.is(describeProgress(2.5, 4, 0, 50), '2/4, elapsed 50.0 s, about 30.0 s left');
});

test('describeProgress measures the rate from its origin', () => {
  // 60 s of setup, then half a run in 10 s: 1.5 runs left take 30 s, not 3 min.
  assert.is(describeProgress(0.5, 2, 0, 70, 0, { time: 60, done: 0 }), '0/2, elapsed 1 min 10 s, about 30.0 s left');
  assert.is(describeProgress(0.01, 2, 0, 70, 0, { time: 60, done: 0 }), '0/2, elapsed 1 min 10 s', 'too little progress to estimate');
});

test('describeProgress leaves resumed runs out of the rate', () => {
  assert.is(describeProgress(3, 4, 0, 30, 2), '3/4, elapsed 30.0 s, about 30.0 s left');
  assert.is(describeProgress(2, 4, 0, 5, 2), '2/4, elapsed 5.0 s');
});

test('text summary lists figures and aligned tables', () => {
  const text = sectionToText(everyFigureSection());

  assert.match(text, /^Every figure kind\n=================\n/);
  assert.match(text, /Adam step size \(line\)/);
  assert.match(text, /\n {2}mm {4}3\.2e-9\n/);
});

test.run();
