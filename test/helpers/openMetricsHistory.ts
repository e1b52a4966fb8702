import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes a family buffers before it is appended to its part file. */
const FLUSH_BYTES = 1 << 20;

/** What {@link OpenMetricsHistory.close} wrote. */
export interface OpenMetricsSummary {
  readonly path: string;
  /** Sample lines. */
  readonly samples: number;
  /** Distinct series (name and labels). */
  readonly series: number;
  /** The series themselves, `name{labels}`. */
  readonly seriesKeys: ReadonlySet<string>;
  /** Metric families, in the order they were first scraped. */
  readonly families: readonly string[];
}

interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly partPath: string;
  readonly fd: number;
  buffer: string[];
  bytes: number;
}

/**
 * Turns scrapes of the Prometheus text format (0.0.4, as the OpenTelemetry Prometheus exporter
 * serves it) taken at known times into one OpenMetrics file that
 * `promtool tsdb create-blocks-from openmetrics` (2.42) accepts, and that VictoriaMetrics imports
 * once the timestamps are in milliseconds.
 *
 * The rules it follows, checked against promtool 2.42:
 * - every sample carries its timestamp in SECONDS (a millisecond value is read as seconds, far in
 *   the future, without complaint); the file ends with `# EOF`, or promtool refuses it;
 * - `# UNIT` must be a suffix of the family name (`unit not a suffix of metric`): OpenTelemetry's
 *   units (`ms`, `{execution}`) are not, so UNIT lines are dropped (PromQL never reads them);
 * - a counter family is named without `_total` (`# TYPE x counter`, samples `x_total`), as
 *   OpenMetrics has it (promtool accepts either);
 * - each family appears once, its HELP and TYPE first, its samples together (promtool tolerates
 *   interleaved families, the OpenMetrics spec does not). Within a family the samples go scrape
 *   by scrape, each series in time order, which is what promtool needs.
 * - `job` and `instance` are added to every sample, as a scrape by Prometheus adds them.
 *
 * Families are buffered into one part file each (the history of a bench is gigabytes) and joined
 * by `close()`.
 */
export class OpenMetricsHistory {
  readonly #path: string;
  readonly #partsDir: string;
  readonly #families = new Map<string, Family>();
  readonly #series = new Set<string>();
  #samples = 0;

  private constructor(path: string, partsDir: string) {
    this.#path = path;
    this.#partsDir = partsDir;
  }

  /** The temporary directory of the part files, removed by `close()` and `abort()`. */
  get partsDir(): string {
    return this.#partsDir;
  }

  /** Starts a history to be written to `path` (replaced by `close()`). */
  static async create(path: string): Promise<OpenMetricsHistory> {
    return new OpenMetricsHistory(path, await mkdtemp(join(tmpdir(), 'toolweaver-openmetrics-parts-')));
  }

  /**
   * Adds every sample of one scrape, stamped `timeMs`, with `job` and `instance` labels.
   *
   * @throws Error on a line that is not a comment nor a sample without timestamp
   */
  addScrape(text: string, timeMs: number, target: { job: string; instance: string }): void {
    const seconds = String(timeMs / 1000);
    const added = `job="${escapeLabelValue(target.job)}",instance="${escapeLabelValue(target.instance)}"`;
    let family: Family | undefined;
    let help = '';
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('# HELP ')) {
        help = line.slice(line.indexOf(' ', 7) + 1);
      } else if (line.startsWith('# TYPE ')) {
        const [name, type] = line.slice(7).split(' ') as [string, string];
        family = this.#family(name, type, help);
      } else if (!line.startsWith('#')) {
        this.#add(family, line, added, seconds);
      }
    }
  }

  /** Writes the file: every family's HELP, TYPE and samples, then `# EOF`; removes the part files. */
  async close(): Promise<OpenMetricsSummary> {
    try {
      for (const family of this.#families.values()) {
        this.#flush(family);
        closeSync(family.fd);
      }
      const out = openSync(this.#path, 'w');
      try {
        for (const family of this.#families.values()) {
          writeSync(out, `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`);
          appendFileTo(out, family.partPath);
        }
        writeSync(out, '# EOF\n');
      } finally {
        closeSync(out);
      }
    } finally {
      await rm(this.#partsDir, { recursive: true, force: true });
    }
    return {
      path: this.#path,
      samples: this.#samples,
      series: this.#series.size,
      seriesKeys: this.#series,
      families: [...this.#families.keys()],
    };
  }

  /** Gives up: closes and removes the part files, writes nothing. */
  async abort(): Promise<void> {
    for (const family of this.#families.values()) closeSync(family.fd);
    this.#families.clear();
    await rm(this.#partsDir, { recursive: true, force: true });
  }

  #family(scrapedName: string, scrapedType: string, help: string): Family {
    const type = scrapedType === 'untyped' ? 'unknown' : scrapedType;
    const name = type === 'counter' ? scrapedName.replace(/_total$/, '') : scrapedName;
    let family = this.#families.get(name);
    if (family === undefined) {
      const partPath = join(this.#partsDir, `${this.#families.size}.om`);
      family = { name, type, help: openMetricsHelp(help), partPath, fd: openSync(partPath, 'w'), buffer: [], bytes: 0 };
      this.#families.set(name, family);
    }
    return family;
  }

  #add(family: Family | undefined, line: string, added: string, seconds: string): void {
    const labelsEnd = line.lastIndexOf('}');
    const open = labelsEnd >= 0 ? line.slice(0, labelsEnd) : `${line.slice(0, line.indexOf(' '))}{`;
    const series = open.endsWith('{') ? `${open}${added}}` : `${open},${added}}`;
    const value = line.slice((labelsEnd >= 0 ? labelsEnd : line.indexOf(' ')) + 1).trim();
    if (family === undefined || value === '' || value.includes(' ')) {
      throw new Error(`OpenMetricsHistory: expected a sample without timestamp after a # TYPE line, got: ${line.slice(0, 200)}`);
    }
    const out = `${series} ${value} ${seconds}\n`;
    family.buffer.push(out);
    family.bytes += out.length;
    this.#series.add(series);
    this.#samples++;
    if (family.bytes >= FLUSH_BYTES) this.#flush(family);
  }

  #flush(family: Family): void {
    if (family.buffer.length === 0) return;
    writeSync(family.fd, family.buffer.join(''));
    family.buffer = [];
    family.bytes = 0;
  }
}

/** Copies the file at `path` to the end of `out`, a megabyte at a time. */
function appendFileTo(out: number, path: string): void {
  const input = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(FLUSH_BYTES);
    for (let read = readSync(input, buffer); read > 0; read = readSync(input, buffer)) writeSync(out, buffer, 0, read);
  } finally {
    closeSync(input);
  }
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text of the 0.0.4 format (escapes `\\` and `\n`) as OpenMetrics writes it (also `\"`). */
function openMetricsHelp(help: string): string {
  return help.replace(/(?<!\\)"/g, '\\"');
}
