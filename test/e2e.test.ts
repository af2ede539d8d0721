/**
 * End to end: builds a report from fixtures and the real simulations, opens it from a
 * file:// path in headless Chromium and checks that every figure drew, with no console
 * errors and no request other than file://. Needs Debian's chromium at /usr/bin/chromium.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { simulations } from '../sims/index.ts';
import { runSuite } from '../src/report/suite.ts';
import { writeReport } from '../src/report/writeReport.ts';
import { ProgressLog } from '../src/report/progress.ts';
import {
  AXIS_TITLES,
  FAILING_PROPERTY,
  FIXTURE_BACKEND,
  fixtureExperiment,
  fixtureSimulation,
  gpuOnlyExperiment,
  PASSING_PROPERTY,
} from './reportFixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
/** Milliseconds for the page to load the 10 MB plotly bundle and draw every figure on 2 busy cores. */
const DRAW_TIMEOUT = 60_000;

interface FigureState {
  id: string;
  kind: string;
  svg: boolean;
  traces: number;
  xTitle: string;
  yTitle: string;
}

test('report renders offline in headless Chromium', async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the end-to-end test`,
  );
  const folder = await mkdtemp(path.join(os.tmpdir(), 'gan-dynamics-e2e-'));
  let browser: Browser | undefined;
  let passed = false;
  try {
    const data = await runSuite(
      {
        properties: [PASSING_PROPERTY, FAILING_PROPERTY],
        simulations: [fixtureSimulation(), ...simulations],
        experiments: [fixtureExperiment(), gpuOnlyExperiment()],
      },
      { suite: 'quick', backend: FIXTURE_BACKEND, runsDir: folder, seed: 11, log: new ProgressLog({ write: () => true }) },
    );
    assert.equal(data.failures, [], 'every simulation ran');
    const files = await writeReport(path.join(folder, 'report'), data);
    const expectedFigures = data.simulations.flatMap((record) => record.section.figures).length;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(files.index).href, { waitUntil: 'load' });
    await page.waitForSelector('body[data-figures="drawn"]', { timeout: DRAW_TIMEOUT });

    const figures: FigureState[] = await page.$$eval('figure.figure', (elements) =>
      elements.map((element) => {
        const plot = element.querySelector('.plot') as HTMLElement;
        return {
          id: plot.id,
          kind: element.getAttribute('data-kind') ?? '',
          svg: plot.querySelector('svg.main-svg') !== null,
          traces: plot.querySelectorAll('.trace, .hm, .im image, g.imagelayer image').length,
          xTitle: plot.querySelector('.g-xtitle')?.textContent ?? '',
          yTitle: plot.querySelector('.g-ytitle')?.textContent ?? '',
        };
      }),
    );
    await page.screenshot({ path: path.join(folder, 'report.png'), fullPage: true });

    assert.is(figures.length, expectedFigures, 'one figure element per figure');
    for (const figure of figures) {
      assert.ok(figure.svg, `${figure.id} (${figure.kind}) has plotly's SVG`);
      assert.ok(figure.traces > 0, `${figure.id} (${figure.kind}) drew its data`);
      if (figure.kind !== 'images') {
        assert.ok(figure.xTitle.trim() !== '', `${figure.id} (${figure.kind}) has an x-axis title`);
        assert.ok(figure.yTitle.trim() !== '', `${figure.id} (${figure.kind}) has a y-axis title`);
      }
    }
    const titles = figures.flatMap((figure) => [figure.xTitle, figure.yTitle]);
    for (const title of Object.values(AXIS_TITLES)) assert.ok(titles.includes(title), `axis title "${title}" drawn`);
    assert.equal(consoleErrors, [], 'no console errors');
    const other = requests.filter((url) => !url.startsWith('file://'));
    assert.equal(other, [], 'no request other than file://');
    assert.ok(requests.some((url) => url.endsWith('/plotly.js')), 'the page loaded the local plotly.js');
    passed = true;
  } finally {
    await browser?.close();
    // The folder (with report.png) stays for inspection when the test fails.
    if (passed) await rm(folder, { recursive: true, force: true });
    else console.error(`end-to-end output kept in ${folder}`);
  }
});

test.run();
