import { IdentityStore } from './IdentityStore.js';
import type { SkillRecorder } from './SkillRecorder.js';
import { processWide } from '../core/processWide.js';

/**
 * What a SQLite reader needs from each recorder whose Meter lives on its MeterProvider: the exact
 * per-call record (every call per skill, user and org, Views never applied), in a store that the
 * reader drains on each export.
 *
 * How a reader finds its recorders. A MeterProvider tells neither side of the other, so the link is
 * made by the SDK's own collection: a reader's `collect()` runs the observable callbacks of the
 * Meters of its provider, synchronously, before its first await. The SQLite reader marks itself as
 * the one collecting for exactly that synchronous stretch ({@link collectLinking}); the batch
 * callback every recorder registers sees the mark and links the recorder to that reader. A recorder
 * on another provider is never called back by this reader's collection, so two pipelines in one
 * process never write into each other's file. A new SkillMetrics asks every live SQLite reader to
 * link at once ({@link linkLiveReaders}), so no call made before the first export is missed.
 */
export class DetailLinks {
  readonly #cardinalityLimit: number;
  readonly #retentionMs: number | undefined;
  readonly #stores = new Map<SkillRecorder, IdentityStore>();
  #closed = false;
  #probing = false;

  /** `retentionDays`: the reader's retention; calls recorded with an `at` older than it are refused. */
  constructor(cardinalityLimit: number, retentionDays: number | undefined) {
    this.#cardinalityLimit = cardinalityLimit;
    this.#retentionMs = retentionDays === undefined ? undefined : retentionDays * 86_400_000;
  }

  /** Starts keeping `recorder`'s exact record for this reader (once; nothing after close). */
  link(recorder: SkillRecorder): void {
    if (this.#closed || this.#stores.has(recorder)) return;
    const store = new IdentityStore(this.#cardinalityLimit, recorder.clock, this.#retentionMs);
    this.#stores.set(recorder, store);
    recorder.addDetail(store);
  }

  /**
   * Runs `collect` (a collection of this reader's) only to link: while it runs its synchronous
   * part, {@link DetailLinks.probing} is true, and the detail producer hands nothing out, so no
   * record is drained by a collection that exports nothing.
   */
  probe(collect: () => Promise<unknown>): void {
    this.#probing = true;
    try {
      collectLinking(this, collect).catch(() => undefined); // not bound to a provider yet, or shut down: nothing to link
    } finally {
      this.#probing = false;
    }
  }

  /** True while a linking-only collection runs. */
  get probing(): boolean {
    return this.#probing;
  }

  /** The linked recorders with their stores. */
  entries(): IterableIterator<[SkillRecorder, IdentityStore]> {
    return this.#stores.entries();
  }

  /** Stops every recorder keeping a record for this reader; called after its last export. */
  close(): void {
    this.#closed = true;
    for (const [recorder, store] of this.#stores) recorder.removeDetail(store);
    this.#stores.clear();
  }
}

/** The reader collecting right now, and the live SQLite readers; one per process, across copies of the package. */
interface LinkState {
  collecting: DetailLinks | undefined;
  readonly readers: Set<WeakRef<LinkingReader>>;
}

/** A reader that can be asked to link the recorders of its provider. */
export interface LinkingReader {
  /** Runs one collection whose callbacks link to this reader; never throws. */
  linkNow(): void;
}

const state = processWide<LinkState>('detail-links', () => ({ collecting: undefined, readers: new Set() }));

/**
 * Calls `collect` (a reader's collection) with `links` marked as the collecting reader during its
 * synchronous part, which is when the SDK runs the observable callbacks.
 */
export function collectLinking<T>(links: DetailLinks, collect: () => T): T {
  const outer = state.collecting;
  state.collecting = links;
  try {
    return collect();
  } finally {
    state.collecting = outer;
  }
}

/** Called from every recorder's batch callback: links it to the reader collecting now, if any. */
export function linkIfCollecting(recorder: SkillRecorder): void {
  state.collecting?.link(recorder);
}

/** Makes `reader` one that a new SkillMetrics asks to link; returns the function that forgets it. */
export function registerLinkingReader(reader: LinkingReader): () => void {
  const ref = new WeakRef(reader);
  state.readers.add(ref);
  return () => state.readers.delete(ref);
}

/** Asks every live SQLite reader to link the recorders of its provider now. */
export function linkLiveReaders(): void {
  for (const ref of state.readers) {
    const reader = ref.deref();
    if (reader === undefined) state.readers.delete(ref);
    else reader.linkNow();
  }
}
