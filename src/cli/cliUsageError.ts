/** A bad command line: printed without a stack, exit status 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** Parses a whole number option, or explains what was expected. */
export function intOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliUsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

/** Parses a number option, or explains what was expected. */
export function numberOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new CliUsageError(`--${name} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
}
