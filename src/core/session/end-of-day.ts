/**
 * The first end-of-day instant (local HH:MM in the policy's time zone) after `from`. A
 * session opened after today's time runs until tomorrow's, so an evening parents' event
 * is not thrown out at once.
 */
export function nextEndOfDay(from: number, hhmm: string, timeZone: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  for (let dayOffset = 0; dayOffset < 3; dayOffset++) {
    const t = localTimeToInstant(from + dayOffset * 86_400_000, h, m, timeZone);
    if (t > from) return t;
  }
  return from + 86_400_000;
}

/** The instant at which the wall clock in `timeZone` shows h:m on the local date of `day`. */
function localTimeToInstant(day: number, h: number, m: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
      .formatToParts(day)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const guess = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), h, m);
  // Correct by the zone's offset at that moment (twice, for days on which it changes).
  let t = guess;
  for (let i = 0; i < 2; i++) t = guess - offsetAt(t, timeZone);
  return t;
}

function offsetAt(t: number, timeZone: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(t)
      .map((x) => [x.type, x.value]),
  ) as Record<string, string>;
  const asUtc = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return asUtc - Math.floor(t / 1000) * 1000;
}
