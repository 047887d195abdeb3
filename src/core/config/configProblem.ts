// One problem found in the config text, located precisely enough for an editor diagnostic.

export type ProblemSeverity = 'error' | 'warning';

/** A config problem: `path` names the setting (`chunking.alpha`, `models.mine.args[2]`), `offset`/`length` the text. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly severity: ProblemSeverity;
  readonly offset: number;
  readonly length: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
}

/** One step of a config path: a key or an array index. */
export type PathSegment = string | number;

/** `['models', 'mine', 'args', 2]` → `models.mine.args[2]`; keys that are not plain names are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Turns offsets into 1-based lines and columns; built once per text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  /** Line and column of `offset`. */
  positionAt(offset: number): { readonly line: number; readonly column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}

/** Problems kept per text; more help nobody, and the cap bounds the work on hostile input. */
export const MAX_CONFIG_PROBLEMS = 200;

/** Collects problems for one text, computing positions as they are added; stops at MAX_CONFIG_PROBLEMS. */
export class ProblemList {
  readonly items: ConfigProblem[] = [];
  private readonly lines: LineIndex;
  private errors = 0;

  constructor(text: string) {
    this.lines = new LineIndex(text);
  }

  add(
    path: readonly PathSegment[],
    message: string,
    span: { readonly offset: number; readonly length: number },
    severity: ProblemSeverity = 'error',
  ): void {
    if (this.full) return;
    const { line, column } = this.lines.positionAt(span.offset);
    this.items.push({
      path: formatPath(path),
      message,
      severity,
      offset: span.offset,
      length: span.length,
      line,
      column,
    });
    if (severity === 'error') this.errors++;
  }

  /** True once MAX_CONFIG_PROBLEMS problems are kept; checks may stop early. */
  get full(): boolean {
    return this.items.length >= MAX_CONFIG_PROBLEMS;
  }

  get hasErrors(): boolean {
    return this.errors > 0;
  }
}
