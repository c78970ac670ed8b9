// The user part of a SIP or tel URI, without any dependency (the renderer uses it for caller identity).

/** Pull the number out of what a PBX may hand us: `sip:+86138…@host;user=phone`, `tel:+86-138…`, `<sip:…>`. */
export function userPartOf(input: string): string {
  let s = input.trim();
  const angle = /<([^>]*)>/.exec(s);
  if (angle?.[1] !== undefined) s = angle[1];
  s = s.replace(/^(sips?|tel):/i, '');
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const semi = s.indexOf(';');
  if (semi >= 0) s = s.slice(0, semi);
  try {
    s = decodeURIComponent(s);
  } catch {
    /* keep as is: a malformed escape is just text */
  }
  return s;
}
