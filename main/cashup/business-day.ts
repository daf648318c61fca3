/**
 * Business days are store-local dates (`2026-11-22`), computed from UTC instants with the store's
 * IANA timezone: the boundary is explicit here and nowhere else.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function storeLocalDate(instant: Date, timezone: string): string {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timezone, f);
  }
  return f.format(instant);
}
