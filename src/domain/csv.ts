/** One CSV cell, for the server's exports and the web app's alike. */

/** A value as a CSV cell: quoted when it holds a quote, comma or line end; a would-be spreadsheet formula defused. */
export function csvCell(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  // Leading = + - @ would run as formulas in a spreadsheet: prefix them (OWASP CSV injection advice).
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
