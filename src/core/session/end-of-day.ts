import { instantAtLocal, localDateAsUtc } from '../time/local-time';

/**
 * The first end-of-day instant (local HH:MM in the policy's time zone) after `from`. A
 * session opened after today's time runs until tomorrow's, so an evening parents' event
 * is not thrown out at once.
 */
export function nextEndOfDay(from: number, hhmm: string, timeZone: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const today = localDateAsUtc(from, timeZone);
  for (let day = 0; day < 3; day++) {
    const t = instantAtLocal(today + day * 86_400_000 + (h * 60 + m) * 60_000, timeZone);
    if (t > from) return t;
  }
  return from + 86_400_000;
}
