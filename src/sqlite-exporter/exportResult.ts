/** OpenTelemetry's ExportResult, structurally (its enum lives in @opentelemetry/core). */
export interface ExportResult {
  code: number;
  error?: Error;
}

/** ExportResultCode.SUCCESS */
export const SUCCESS = 0;
/** ExportResultCode.FAILED */
export const FAILED = 1;

/** A failed result carrying `error`, made an Error if it was not one. */
export function failed(error: unknown): ExportResult {
  return { code: FAILED, error: error instanceof Error ? error : new Error(String(error)) };
}

/** The answer to an export after shutdown. */
export function shutDown(path: string): ExportResult {
  return { code: FAILED, error: new Error(`The SQLite exporter for ${path} is shut down`) };
}
