import type { MessagePort } from 'node:worker_threads';
import type { SeriesState } from '../instruments/SeriesState.js';
import type { ExportResult } from './exportResult.js';
import type { SplitExport } from './mapping.js';
import { callRatingsOf } from './mapping.js';
import { callsIn, type SeriesPacker } from './SeriesBatch.js';
import type { ToWriter } from './threadMessages.js';

/** What a request asks of the writer thread: see ToWriter. */
export type RequestType = 'export' | 'final' | 'retry' | 'close';

/** One request on its way to the writer thread: an export goes a batch of series at a time, then its end. */
export class WriterRequest {
  readonly id: number;
  readonly type: RequestType;
  readonly settle: (result: ExportResult) => void;
  readonly #split: SplitExport | undefined;
  /** Where the packing is: the drained record, and how far into its series. */
  #record = 0;
  #packed = 0;
  #series: Iterator<SeriesState> | undefined;
  #started = false;

  constructor(id: number, type: RequestType, split: SplitExport | undefined, settle: (result: ExportResult) => void) {
    this.id = id;
    this.type = type;
    this.settle = settle;
    this.#split = split;
  }

  /** The calls it carries: what is lost if it is never written. Counted when asked, which is rarely. */
  get calls(): number {
    return this.#split === undefined ? 0 : callsIn(this.#split.drained);
  }

  /** True once a part of it is posted. */
  get started(): boolean {
    return this.#started;
  }

  /** Posts its next message, packed by `packer`; false once that was the last (the request's end). */
  postNext(port: MessagePort, packer: SeriesPacker): boolean {
    this.#started = true;
    const drained = this.#split?.drained ?? [];
    for (; this.#record < drained.length; this.#record++, this.#packed = 0, this.#series = undefined) {
      const { series, endMs } = drained[this.#record]!;
      if (this.#packed === series.size) continue;
      this.#series ??= series.values();
      // Copied by postMessage: the packer's arrays are free again once it returns.
      const batch = packer.pack(this.#series, endMs);
      this.#packed += batch.overflow.length;
      post(port, { type: 'series', batch });
      return true;
    }
    post(port, this.#end());
    return false;
  }

  #end(): ToWriter {
    if (this.type === 'retry' || this.type === 'close') return { type: this.type, id: this.id };
    const points = this.#split?.points ?? [];
    const skipped = this.#split?.skipped ?? [];
    const callRatings = callRatingsOf(this.#split?.drained ?? []);
    const end = { id: this.id, points, skipped, callRatings };
    return this.type === 'final' ? { type: 'final', ...end } : { type: 'export', ...end };
  }
}

function post(port: MessagePort, message: ToWriter): void {
  port.postMessage(message);
}
