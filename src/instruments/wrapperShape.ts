/**
 * Gives `wrapper` the `name` and `length` of the function it wraps, so a wrapped skill (wrap() or
 * @skill) looks like the original to code that reads them: stack traces, logs, frameworks that
 * count parameters.
 */
export function withShapeOf<W extends (...args: never[]) => unknown>(wrapper: W, original: (...args: never[]) => unknown): W {
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  return wrapper;
}
