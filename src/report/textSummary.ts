/**
 * Plain-text rendering of a report section, for the terminal: title, paragraphs, the
 * figures it contains and its tables with aligned columns.
 */
import type { Section, Table } from '../figures.ts';
import { formatNumber } from './format.ts';

function renderTable(table: Table): string[] {
  const cells = [table.columns, ...table.rows.map((row) => row.map((value) => (typeof value === 'number' ? formatNumber(value) : value)))];
  const widths = table.columns.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const lines = cells.map((row) => row.map((value, column) => (value ?? '').padEnd(widths[column])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  return [`${table.title}:`, ...lines.map((line) => `  ${line}`)];
}

export function sectionToText(section: Section): string {
  const lines = [section.title, '='.repeat(section.title.length), ...section.text, ''];
  if (section.figures.length > 0) {
    lines.push('Figures (in the HTML report):');
    lines.push(...section.figures.map((figure) => `  ${figure.title} (${figure.kind})`));
    lines.push('');
  }
  for (const table of section.tables) lines.push(...renderTable(table), '');
  return lines.join('\n');
}
