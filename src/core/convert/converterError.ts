// The one error type of the converters: it names the key at fault, what was expected and what arrived.

/** A policy input or output that does not fit the converter; `key` names the observation key, policy key or config key. */
export class ConverterError extends Error {
  override readonly name = 'ConverterError';
  readonly key: string;
  readonly expected: string;
  readonly actual: string;

  constructor(key: string, expected: string, actual: string, hint?: string) {
    super(`${key}: expected ${expected}, got ${actual}${hint ? `. ${hint}` : ''}`);
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }
}
