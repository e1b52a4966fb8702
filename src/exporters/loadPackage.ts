import { createRequire } from 'node:module';
import { MissingExporterError } from '../errors.js';

const requireFromHere = createRequire(import.meta.url);

/**
 * Loads an exporter package of the application's OpenTelemetry line, synchronously, so that
 * `startAnalytics()` and `createMetricReaders()` need no await. A missing package becomes a
 * MissingExporterError that names the package to install.
 */
export function loadExporterPackage<T>(backend: string, packageName: string): T {
  try {
    return requireFromHere(packageName) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new MissingExporterError(backend, packageName, { cause: error });
    throw error;
  }
}
