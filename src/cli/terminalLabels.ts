// The operator at a real arm labels each campaign episode from the terminal, with single keys: ENTER once the scene
// is reset (q stops the campaign), then s(uccess) / f(ailure) / r(edo) / q(stop); after s or f an optional note,
// ended with ENTER. Keys come raw from a terminal, or one character at a time from a pipe (scripts, tests).
import type { EvaluationAnswer, EvaluationAsk } from '../core/rpc';

/** Single keys from stdin; a line when a note is asked. End of input answers as q. */
export class TerminalKeys implements Disposable {
  private readonly queue: string[] = [];
  private waiter: ((key: string) => void) | undefined;
  private readonly onData = (chunk: string | Buffer) => {
    for (const ch of chunk.toString()) this.push(ch);
  };
  private readonly onEnd = () => this.push('\u0004');

  constructor(
    private readonly input: NodeJS.ReadStream = process.stdin,
    private readonly out: NodeJS.WriteStream = process.stdout,
    /** Ctrl-C while the terminal is raw (no SIGINT then). */
    private readonly onInterrupt: () => void = () => undefined,
  ) {
    if (input.isTTY) input.setRawMode(true);
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.resume();
  }

  /** The next key. */
  key(): Promise<string> {
    const k = this.queue.shift();
    if (k !== undefined) return Promise.resolve(k);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Keys up to ENTER (echoed on a terminal; backspace deletes). */
  async line(): Promise<string> {
    let text = '';
    for (;;) {
      const k = await this.key();
      if (k === '\r' || k === '\n' || k === '\u0004') break;
      if (k === '\u007f' || k === '\b') {
        if (text.length > 0 && this.out.isTTY) this.out.write('\b \b');
        text = text.slice(0, -1);
        continue;
      }
      text += k;
      if (this.out.isTTY) this.out.write(k);
    }
    if (this.out.isTTY) this.out.write('\n');
    return text;
  }

  [Symbol.dispose](): void {
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    if (this.input.isTTY) this.input.setRawMode(false);
    this.input.pause();
  }

  private push(ch: string): void {
    if (ch === '\u0003') {
      this.onInterrupt();
      ch = 'q';
    }
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(ch);
    else this.queue.push(ch);
  }
}

const LABEL_KEYS: Readonly<Record<string, EvaluationAnswer>> = { s: 'success', f: 'failure', r: 'redo', q: 'stop' };

/** Asks `q` on the terminal until a fitting key comes; resolves with the answer (and a note for success / failure). */
export async function askOnTerminal(
  q: Omit<EvaluationAsk, 'outDir'>,
  keys: TerminalKeys,
  out: NodeJS.WritableStream = process.stdout,
): Promise<{ answer: EvaluationAnswer; note?: string }> {
  if (q.ask === 'ready') {
    out.write(`\n${q.model}, seed ${q.seed}: reset the scene, then press ENTER (q stops the campaign) `);
    for (;;) {
      const k = (await keys.key()).toLowerCase();
      if (k === '\r' || k === '\n') {
        out.write('\n');
        return { answer: 'ready' };
      }
      if (k === 'q' || k === '\u0004') {
        out.write('q\n');
        return { answer: 'stop' };
      }
    }
  }
  const how = q.episode ? ` (${q.episode.reason}, ${q.episode.steps} ticks)` : '';
  out.write(`${q.model}, seed ${q.seed} ended${how}: s success, f failure, r redo, q stop the campaign `);
  for (;;) {
    const k = (await keys.key()).toLowerCase();
    const answer = k === '\u0004' ? 'stop' : LABEL_KEYS[k];
    if (answer === undefined || !q.answers.includes(answer)) continue;
    out.write(`${k === '\u0004' ? 'q' : k}\n`);
    if (answer !== 'success' && answer !== 'failure') return { answer };
    out.write('  note (ENTER for none): ');
    const note = (await keys.line()).trim();
    return note ? { answer, note } : { answer };
  }
}
