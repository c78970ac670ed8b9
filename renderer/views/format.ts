// Locale-aware formatting for the views. Intl formatters are made once per locale: constructing one costs
// far more than formatting with it, and the screen pop formats a date for every interaction it shows.
function perLocale<T>(make: (locale: string) => T): (locale: string) => T {
  const made = new Map<string, T>();
  return (locale) => {
    let f = made.get(locale);
    if (!f) {
      f = make(locale);
      made.set(locale, f);
    }
    return f;
  };
}

const relativeFormat = perLocale((locale) => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
const dateTimeFormat = perLocale((locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }));
const integerFormat = perLocale((locale) => new Intl.NumberFormat(locale));
const oneDecimalFormat = perLocale((locale) => new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 }));
const ordinalRules = perLocale((locale) => new Intl.PluralRules(locale, { type: 'ordinal' }));

/** A count in the page's language (1,000,000 / 1,000,000). */
export function count(n: number, locale: string): string {
  return integerFormat(locale).format(n);
}

/** Bytes as MiB with one decimal, in the page's language. */
export function mib(bytes: number, locale: string): string {
  return oneDecimalFormat(locale).format(bytes / 2 ** 20);
}

/** The ordinal category of n (one, two, few, other …) in that language. */
export function ordinalRule(n: number, locale: string): Intl.LDMLPluralRule {
  return ordinalRules(locale).select(n);
}

export function relativeTime(at: number, locale: string, now = Date.now()): string {
  const rtf = relativeFormat(locale);
  const diff = at - now;
  const abs = Math.abs(diff);
  const minute = 60_000;
  const hour = 60 * minute;
  const day = 24 * hour;
  if (abs < hour) return rtf.format(Math.round(diff / minute), 'minute');
  if (abs < day) return rtf.format(Math.round(diff / hour), 'hour');
  if (abs < 30 * day) return rtf.format(Math.round(diff / day), 'day');
  if (abs < 365 * day) return rtf.format(Math.round(diff / (30 * day)), 'month');
  return rtf.format(Math.round(diff / (365 * day)), 'year');
}

export function dateTime(at: number, locale: string): string {
  return dateTimeFormat(locale).format(at);
}

export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}
