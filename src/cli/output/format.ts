/** How the CLI shows numbers to people. JSON output keeps the raw values. */

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators: `12,345`. */
export function formatCount(value: number): string {
  return INTEGER.format(value);
}

/** A number with `digits` decimals, so that a column's decimal points line up: `4.80`. */
export function formatNumber(value: number | null | undefined, digits = 2): string | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return value.toFixed(digits);
}

/** A share from 0 to 1 as a percentage with one decimal: `97.5%`. */
export function formatPercent(share: number | null | undefined): string | null {
  if (share === null || share === undefined || !Number.isFinite(share)) return null;
  return `${(share * 100).toFixed(1)}%`;
}

/** Milliseconds, whole from 10 ms up and with one decimal below: `1,250 ms`, `4.2 ms`. */
export function formatMs(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  return ms >= 10 ? `${formatCount(Math.round(ms))} ms` : `${ms.toFixed(1)} ms`;
}

/** Bytes in the largest unit that keeps the number at 1 or more: `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
