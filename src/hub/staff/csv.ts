/**
 * One CSV cell. Quoted when it must be; and a cell that a spreadsheet would run as a formula
 * (a typed name such as `=HYPERLINK(...)`) is prefixed with an apostrophe, so opening the
 * report in Excel never runs what a pupil typed.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
