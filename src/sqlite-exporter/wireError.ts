import { DatabaseBusyError, DatabaseFileError, DatabaseVersionError, SqliteAddonError, SqliteWriteError } from '../core/errors.js';

/**
 * An error as it crosses between threads. Structured cloning keeps an Error's message but neither
 * its class nor its fields, and `ready` promises a DatabaseFileError with its `reason`.
 */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Its own fields of plain values: code, reason, path … */
  readonly fields: Record<string, string | number | boolean | null | undefined>;
  readonly cause: WireError | undefined;
}

/**
 * The classes an error of the writer thread comes back as (ours, and those our checks of options
 * throw); any other comes back as an Error with its name.
 */
const CLASSES: ReadonlyMap<string, typeof Error> = new Map<string, typeof Error>(
  [DatabaseBusyError, DatabaseFileError, DatabaseVersionError, SqliteAddonError, SqliteWriteError, TypeError, RangeError].map((Class) => [
    Class.name,
    Class as unknown as typeof Error,
  ]),
);

/** `error` (anything thrown) as it crosses to another thread. */
export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined, fields: {}, cause: undefined };
  const fields: WireError['fields'] = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value))
      fields[key] = value as WireError['fields'][string];
  }
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
    cause: error.cause === undefined ? undefined : toWire(error.cause),
  };
}

/** The error `wire` describes, of its class when it is one of ours, with its fields and cause. */
export function fromWire(wire: WireError): Error {
  const Class = CLASSES.get(wire.name) ?? Error;
  // An Error of that class without running its constructor, whose arguments stayed in the other thread.
  const error = Reflect.construct(Error, [wire.message], Class) as Error;
  if (error.name !== wire.name) error.name = wire.name;
  Object.assign(error, wire.fields);
  if (wire.stack !== undefined) error.stack = wire.stack;
  if (wire.cause !== undefined) Object.defineProperty(error, 'cause', { value: fromWire(wire.cause), writable: true, configurable: true });
  return error;
}
