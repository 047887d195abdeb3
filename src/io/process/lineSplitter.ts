// Splits a child's output stream into lines: chunks end mid-line and mid-character, Windows tools write
// CRLF, progress bars redraw with a bare CR, and one runaway line must not eat memory.
import { StringDecoder } from 'node:string_decoder';

export const DEFAULT_MAX_LINE_LENGTH = 4096;
const TRUNCATED = ' …[line truncated]';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** True after a too-long line was emitted, until its newline arrives. */
  private discarding = false;

  constructor(private readonly maxLineLength = DEFAULT_MAX_LINE_LENGTH) {}

  /** Feeds one chunk; returns the lines it completed. */
  push(chunk: Buffer | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.discarding) {
        this.discarding = false;
        this.pending = '';
        continue;
      }
      lines.push(finishLine(this.pending + piece, this.maxLineLength));
      this.pending = '';
    }
    if (!this.discarding) {
      // Only the text after the last bare CR would remain on a terminal (progress bars).
      const rest = this.pending + text.slice(start);
      const cr = rest.lastIndexOf('\r', rest.length - 2);
      this.pending = cr >= 0 ? rest.slice(cr + 1) : rest;
      if (this.pending.length > this.maxLineLength) {
        lines.push(this.pending.slice(0, this.maxLineLength) + TRUNCATED);
        this.pending = '';
        this.discarding = true;
      }
    }
    return lines;
  }

  /** Returns the last unterminated line, if any (call when the stream ends). */
  flush(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    const wasDiscarding = this.discarding;
    this.discarding = false;
    if (wasDiscarding || rest.length === 0) return [];
    return [finishLine(rest, this.maxLineLength)];
  }
}

function finishLine(raw: string, max: number): string {
  const noCr = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const line = noCr.slice(noCr.lastIndexOf('\r') + 1);
  return line.length > max ? line.slice(0, max) + TRUNCATED : line;
}
