/**
 * Wall-clock time in the policy's time zone. Sanction end dates ("until 2026-12-04" is the
 * start of that day) and the end-of-day logoff ("18:00") are both local times.
 */
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new Error(
        `The policy's timeZone "${timeZone}" is not a time zone this computer knows (use an IANA name such as Europe/London).`,
      );
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone, as if they were UTC (epoch ms). */
export function localAsUtc(t: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(t));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
}

/** Offset of the zone from UTC at instant t, in ms (Europe/London in summer: +3,600,000). */
function offsetAt(t: number, timeZone: string): number {
  const whole = Math.floor(t / 1000) * 1000;
  return localAsUtc(whole, timeZone) - whole;
}

/**
 * The instant the wall clock in `timeZone` shows `wall` (local fields written as a UTC
 * epoch, e.g. Date.UTC(2026, 11, 4, 18, 0)). Where a DST change skips that time, the
 * first instant after the gap.
 */
export function instantAtLocal(wall: number, timeZone: string): number {
  // Two passes settle the offset on the right side of a DST change.
  let t = wall - offsetAt(wall, timeZone);
  t = wall - offsetAt(t, timeZone);
  const local = localAsUtc(t, timeZone);
  if (local < wall) t += wall - local;
  else if (local >= wall + DAY_MS) t -= local - wall;
  return t;
}

/** Midnight UTC of the local calendar date of instant t, e.g. to add a local time to. */
export function localDateAsUtc(t: number, timeZone: string): number {
  const wall = localAsUtc(t, timeZone);
  return wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS);
}
