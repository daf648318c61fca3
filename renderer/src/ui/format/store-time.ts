/** A UTC instant shown in the store's time zone (not the device's): "14:05", or "11-22 14:05" with the date. */
export function formatStoreTime(iso: string, timezone: string, withDate = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(date);
  } catch {
    return iso; // an unknown zone name from a newer HQ: show the instant rather than a wrong time
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')}`;
  return withDate ? `${part('month')}-${part('day')} ${time}` : time;
}
