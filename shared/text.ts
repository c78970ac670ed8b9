// Text that arrives from outside (SIP headers, CSV cells, sync pages) is hostile until cleaned.
// cleanText() bounds its length and removes what can make inert text misleading on screen:
// control characters, bidirectional overrides/isolates (e.g. U+202E flips "gnp.exe" into "exe.png"),
// and zero-width characters. It never interprets markup: React renders the result as text.

// C0/C1 controls except tab/newline handled separately, bidi embeddings/overrides/isolates,
// zero-width and invisible formatting characters, BOM, and unpaired surrogates.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export interface CleanOptions {
  /** Maximum length in UTF-16 code units of the result (an ellipsis counts as one). */
  max: number;
  /** Keep line breaks (notes). Otherwise every whitespace run becomes one space (names, headers). */
  multiline?: boolean;
}

export function cleanText(input: unknown, { max, multiline = false }: CleanOptions): string {
  if (typeof input !== 'string' || input.length === 0) return '';
  // Work on a bounded prefix first so a 10 MB header costs no more than a short one.
  let s = input.length > max * 4 + 64 ? input.slice(0, max * 4 + 64) : input;
  s = s.normalize('NFC').replace(INVISIBLE, '');
  s = multiline ? s.replace(/\r\n?/g, '\n').replace(/[\t\f\v ]+/g, ' ').replace(/\n{3,}/g, '\n\n') : s.replace(/\s+/g, ' ');
  s = s.trim();
  if (s.length > max) {
    // Do not cut a surrogate pair in half.
    let end = max - 1;
    const code = s.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    s = s.slice(0, end) + '…';
  }
  return s;
}
