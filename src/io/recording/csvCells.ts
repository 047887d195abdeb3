// How values become CSV cells in the episode record: RFC 4180 quoting for text, fixed decimals for numbers.

/** A text cell, quoted when it holds a comma, quote, line break or edge space (quotes doubled inside). */
export function csvText(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A number with fixed decimals; empty when absent, and `nan` / `inf` / `-inf` for non-finite values
 * (the spellings pandas and numpy read back).
 */
export function csvNumber(value: number | undefined, decimals: number): string {
  if (value === undefined) return '';
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const s = value.toFixed(decimals);
  // "-0.0000" reads as a sign flip that never happened.
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** 1 / 0, so the column parses as an integer everywhere. */
export function csvFlag(value: boolean): string {
  return value ? '1' : '0';
}

/** One CSV line (CRLF-free: the record is read on every platform by tools that accept LF). */
export function csvLine(cells: readonly string[]): string {
  return `${cells.join(',')}\n`;
}
