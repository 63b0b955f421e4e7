/**
 * The chart library the report pages inline: ECharts' minified browser bundle, read from the
 * installed package (a production dependency) once per process. Canvas rendering and its `large`
 * scatter mode keep 100,000 points responsive.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let source: string | undefined;

/** The text of `echarts/dist/echarts.min.js`. */
export function chartLibrarySource(): string {
  source ??= readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');
  return source;
}
