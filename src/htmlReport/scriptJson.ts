/**
 * JSON for the inside of a `<script type="application/json">` element. `<`, `>` and `&` become
 * `\u003c`, `\u003e` and `\u0026`, so no data can close the element or open a comment
 * (`</script>`, `<!--`); U+2028 and U+2029 are escaped too, so the text is also valid JavaScript.
 * JSON.parse of the element's text gives back `value` unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
