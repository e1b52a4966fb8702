import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { log } from '../core/log.js';
import { FAILED, shutDown, type ExportResult } from './exportResult.js';
import type { ExportTarget } from './ExportTarget.js';
import type { SplitExport } from './mapping.js';
import { SeriesPacker } from './SeriesBatch.js';
import { DONE, ENDED, type FromWriter, type WriterData } from './threadMessages.js';
import { WriterRequest, type RequestType } from './WriterRequest.js';
import { fromWire } from './wireError.js';

const WORKER_URL = new URL('./sqliteWorker.js', import.meta.url);

/**
 * How long the last write as the process ends may take beyond the busy timeout: a writer thread
 * that has only just started must still load, open (validating and migrating the file) and write
 * a full buffer. One that has died says so at once and is not waited for.
 */
const LAST_WRITE_MARGIN_MS = 10_000;

/** One writer thread, as started. */
interface Writer {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly progress: Int32Array;
  ended: boolean;
}

/**
 * The SQLite exporter's writer thread (sqliteWorker.js), as the application's thread sees it. All
 * the SQLite work happens there; what stays here is cheap: each export's drained series are packed
 * a batch at a time into a few flat arrays (SeriesBatch), one batch per turn of the event loop,
 * and moved over; the thread gathers the batches of an export and writes them in one transaction.
 * Its log messages come back to our logger, and its answers settle the exports.
 *
 * The thread does not keep the process alive, except while an answer is awaited. On the way out
 * ('exit', where no promise runs any more) the last records are handed over and the application's
 * thread waits on a shared Int32Array (`Atomics.wait`) until the thread says they are written,
 * for at most the busy timeout plus a margin; a thread that died is not waited for. A thread that
 * stops unexpectedly is reported with the calls it had not written, and the next export starts a
 * new one.
 */
export class WriterThread implements ExportTarget {
  readonly ready: Promise<void>;
  readonly #options: WriterData['options'];
  readonly #lastWriteMs: number;
  /** Made at the first export: its arrays are a batch's worth of series. */
  #packer: SeriesPacker | undefined;
  /** Requests not yet posted whole, in order. */
  readonly #queue: WriterRequest[] = [];
  /** Requests posted whole, awaiting their answer. */
  readonly #posted = new Map<number, WriterRequest>();
  #writer: Writer | undefined;
  #nextId = 1;
  #pumping = false;
  #opened: ((problem: Error | undefined) => void) | undefined;
  #pendingRows = 0;
  #pendingCalls = 0;
  #closing: Promise<void> | undefined;
  /** The thread answered its last request (`final` or `close`). */
  #finished = false;

  constructor(options: WriterData['options']) {
    this.#options = options;
    this.#lastWriteMs = options.busyTimeoutMs + LAST_WRITE_MARGIN_MS;
    this.ready = new Promise((resolve, reject) => {
      this.#opened = (problem) => {
        this.#opened = undefined;
        if (problem === undefined) resolve();
        else reject(problem);
      };
    });
    this.ready.catch(() => undefined); // reported through our logger; a rejection nobody awaits is no crash
    this.#start();
  }

  get pendingRows(): number {
    return this.#pendingRows;
  }

  export(split: SplitExport): Promise<ExportResult> {
    if (this.#closing !== undefined) return Promise.resolve(shutDown(this.#options.path));
    return new Promise((settle) => this.#enqueue('export', split, settle));
  }

  exportNow(split: SplitExport): ExportResult {
    if (this.#closing !== undefined) return shutDown(this.#options.path);
    let result: ExportResult | undefined;
    const request = this.#enqueue('export', split, (answer) => (result = answer));
    this.#postAllNow();
    this.#waitFor(request.id);
    return (
      result ?? {
        code: FAILED,
        error: new Error(`the SQLite writer thread for ${this.#options.path} did not answer within ${this.#lastWriteMs} ms`),
      }
    );
  }

  retry(): Promise<void> {
    if (this.#closing !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.#enqueue('retry', undefined, () => resolve()));
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => this.#enqueue('close', undefined, () => resolve()));
    return this.#closing;
  }

  closeNow(split: SplitExport | undefined): void {
    if (this.#finished) return;
    this.#closing ??= Promise.resolve();
    let result: ExportResult | undefined;
    const request = this.#enqueue('final', split, (answer) => (result = answer));
    this.#postAllNow();
    const answered = this.#waitFor(request.id);
    const { path } = this.#options;
    if (answered) {
      // Answered as shut down: a `close` had begun, and these calls came after its last write.
      const calls = result?.code === FAILED ? request.calls : 0;
      if (calls > 0) log.error(`${calls} calls recorded for ${path} while it was shutting down are lost`);
    } else if (this.#writer !== undefined) {
      const calls = this.#unwrittenCalls();
      log.error(
        `the SQLite writer thread for ${path} did not finish the last write within ${this.#lastWriteMs} ms; the ${calls} calls it was given are lost`,
      );
    }
  }

  #enqueue(type: RequestType, split: SplitExport | undefined, settle: (result: ExportResult) => void): WriterRequest {
    const request = new WriterRequest(this.#nextId++, type, split, settle);
    this.#queue.push(request);
    void this.#pump();
    return request;
  }

  /** Posts the queued requests, one message per turn of the event loop. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let request = this.#queue[0]; request !== undefined; request = this.#queue[0]) {
        if (this.#postNext(request)) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#pumping = false;
      this.#updateRef();
    }
  }

  /** Posts every queued request now, without giving the event loop a turn. */
  #postAllNow(): void {
    for (let request = this.#queue[0]; request !== undefined; request = this.#queue[0]) while (this.#postNext(request));
  }

  /** Posts the next message of `request`, the first in the queue; false once it is posted whole. */
  #postNext(request: WriterRequest): boolean {
    const writer = this.#writer ?? this.#start();
    this.#packer ??= new SeriesPacker();
    if (request.postNext(writer.port, this.#packer)) return true;
    this.#queue.shift();
    this.#posted.set(request.id, request);
    this.#updateRef();
    return false;
  }

  /** Blocks until the thread has answered request `id`, it has ended, or the wait is too long; true when answered. */
  #waitFor(id: number): boolean {
    const writer = this.#writer;
    if (writer === undefined) return false;
    const { progress } = writer;
    const deadline = performance.now() + this.#lastWriteMs;
    for (;;) {
      const done = Atomics.load(progress, DONE);
      const left = deadline - performance.now();
      if (done >= id || Atomics.load(progress, ENDED) === 1 || left <= 0) break;
      Atomics.wait(progress, DONE, done, left);
    }
    this.#receiveAll(writer);
    // No event will say so while this thread waits: one that ended is handled here.
    if (Atomics.load(progress, ENDED) === 1) this.#ended(writer, undefined);
    return Atomics.load(progress, DONE) >= id;
  }

  #start(): Writer {
    const { port1, port2 } = new MessageChannel();
    const progress = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const data: WriterData = { options: this.#options, port: port2, progress };
    // None of the application's command-line options: its --input-type, --import or --require (an
    // APM agent, say) are not the writer's, and some would stop the thread from starting at all.
    const worker = new Worker(WORKER_URL, { workerData: data, transferList: [port2], execArgv: [] });
    const writer: Writer = { worker, port: port1, progress, ended: false };
    port1.on('message', (message: FromWriter) => this.#receive(message));
    worker.on('error', (error) => this.#ended(writer, error));
    worker.on('exit', (code) => this.#ended(writer, new Error(`it exited with code ${code}`)));
    worker.unref();
    this.#writer = writer;
    this.#updateRef();
    return writer;
  }

  #receive(message: FromWriter): void {
    switch (message.type) {
      case 'opened':
        this.#opened?.(message.problem === undefined ? undefined : fromWire(message.problem));
        break;
      case 'log':
        log[message.severity](message.message, message.cause === undefined ? undefined : fromWire(message.cause));
        break;
      case 'done': {
        this.#pendingRows = message.pendingRows;
        this.#pendingCalls = message.pendingCalls;
        const request = this.#posted.get(message.id);
        this.#posted.delete(message.id);
        if (request?.type === 'final' || request?.type === 'close') this.#finished = true;
        request?.settle(message.error === undefined ? { code: message.code } : { code: message.code, error: fromWire(message.error) });
      }
    }
    this.#updateRef();
  }

  /** Takes every message the thread has sent and this thread has not received yet. */
  #receiveAll(writer: Writer): void {
    for (let next = receiveMessageOnPort(writer.port); next !== undefined; next = receiveMessageOnPort(writer.port)) {
      this.#receive(next.message as FromWriter);
    }
  }

  /** The thread keeps the process alive only while an answer (or the open) is awaited. */
  #updateRef(): void {
    const writer = this.#writer;
    if (writer === undefined || writer.ended) return;
    if (this.#queue.length > 0 || this.#posted.size > 0 || this.#opened !== undefined) writer.port.ref();
    else writer.port.unref();
  }

  /** Calls handed to the thread and not written yet, as far as this side knows. */
  #unwrittenCalls(): number {
    let calls = this.#pendingCalls;
    for (const request of this.#posted.values()) calls += request.calls;
    if (this.#queue[0]?.started === true) calls += this.#queue[0].calls;
    return calls;
  }

  /** The thread has ended: after its last answer, nothing to say; else what it had is lost, and said so. */
  #ended(writer: Writer, error: Error | undefined): void {
    if (writer.ended) return;
    writer.ended = true;
    this.#receiveAll(writer);
    writer.port.close();
    if (this.#writer === writer) this.#writer = undefined;
    if (this.#finished) return;
    const { path } = this.#options;
    const reason = error?.message ?? 'it ended';
    const calls = this.#unwrittenCalls();
    // An export partly handed over cannot be finished by another thread: it is lost with the others.
    const lost = [...this.#posted.values(), ...(this.#queue[0]?.started === true ? [this.#queue.shift()!] : [])];
    this.#posted.clear();
    this.#pendingRows = 0;
    this.#pendingCalls = 0;
    if (lost.some((request) => request.type === 'final' || request.type === 'close')) this.#finished = true;
    this.#opened?.(new Error(`the SQLite writer thread for ${path} stopped before it opened the file (${reason})`));
    const next = this.#finished ? '' : '; the next export starts a new one';
    log.error(
      `the SQLite writer thread for ${path} stopped (${reason}): ${calls > 0 ? `the ${calls} calls it had not written are lost` : 'nothing it was given is lost'}${next}`,
    );
    const failure = new Error(`the SQLite writer thread for ${path} stopped (${reason}) before it wrote this`);
    for (const request of lost) request.settle({ code: FAILED, error: failure });
    if (this.#queue.length > 0) void this.#pump();
  }
}
