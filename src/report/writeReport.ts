/**
 * Writes a report folder: index.html, the plotly.js bundle it loads and results.json,
 * each file replaced atomically so that an open page or a reader of results.json never
 * reads a partial file.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { copyFileAtomic, writeFileAtomic } from './atomicWrite.ts';
import { PLOTLY_FILE, renderReportPage } from './page.ts';
import type { ReportData } from './reportData.ts';
import { toResultsJson } from './resultsJson.ts';

const require = createRequire(import.meta.url);

export interface ReportFiles {
  index: string;
  results: string;
  plotly: string;
}

/** Path of plotly.js-dist's bundle (the package ships it unminified). */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist/plotly.js');
}

export async function writeReport(outDir: string, data: ReportData): Promise<ReportFiles> {
  await mkdir(outDir, { recursive: true });
  const files: ReportFiles = {
    index: path.join(outDir, 'index.html'),
    results: path.join(outDir, 'results.json'),
    plotly: path.join(outDir, PLOTLY_FILE),
  };
  // The bundle goes first, so the page never loads without it.
  await copyFileAtomic(plotlyBundlePath(), files.plotly);
  await writeFileAtomic(files.results, `${JSON.stringify(toResultsJson(data), null, 2)}\n`);
  await writeFileAtomic(files.index, renderReportPage(data));
  return files;
}
