/**
 * How many terminal columns text takes, as terminals draw it (wcwidth, Unicode's East Asian Width
 * and emoji presentation): a wide or fullwidth character (検, 한, Ａ) takes 2, an emoji shown as
 * an emoji takes 2 whatever it is made of (👨‍👩‍👧 is four emoji and three joiners; 🇯🇵 two regional
 * indicators), a combining mark, a joiner or a control character takes 0, anything else 1.
 * Text is measured by grapheme cluster, so `e` and a combining accent are one column.
 */
export function displayWidth(text: string): number {
  if (/^[\u0020-\u007e]*$/.test(text)) return text.length; // ASCII, the usual case
  let width = 0;
  for (const { segment } of graphemes().segment(text)) width += clusterWidth(segment);
  return width;
}

/** `text` followed by spaces up to `width` columns. */
export function padEndColumns(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` preceded by spaces up to `width` columns. */
export function padStartColumns(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

let segmenter: Intl.Segmenter | undefined;

function graphemes(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return segmenter;
}

const EMOJI_PRESENTATION = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F|\p{Regional_Indicator}{2}|\uFE0F\u20E3/u;
/** Marks, format characters (joiners, the zero width space), controls: they take no column of their own. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}\u1160-\u11FF]/u;

function clusterWidth(cluster: string): number {
  if (EMOJI_PRESENTATION.test(cluster)) return 2;
  if (ZERO_WIDTH.test(cluster)) return 0;
  return isWide(cluster.codePointAt(0) ?? 0) ? 2 : 1;
}

/** East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15 that are not emoji (those are caught above). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo leading consonants
  [0x2329, 0x232a],
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes, enclosed, compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff], // Tangut
  [0x1b000, 0x1b2ff], // Kana supplement and extensions, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x2fffd], // CJK extensions B to F
  [0x30000, 0x3fffd], // CJK extension G and later
];

function isWide(codePoint: number): boolean {
  if (codePoint < 0x1100) return false;
  return WIDE.some(([from, to]) => codePoint >= from && codePoint <= to);
}
