import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/** uPlot's minified script and stylesheet, read from the installed package to inline them in the page. */
export interface ChartLibrary {
  readonly script: string;
  readonly css: string;
}

let cached: ChartLibrary | undefined;

/**
 * Reads uPlot (a dependency) once per process. The page carries it inline, so opening the report
 * needs no network.
 */
export function chartLibrary(): ChartLibrary {
  cached ??= {
    script: readFileSync(requireFromHere.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(requireFromHere.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return cached;
}
