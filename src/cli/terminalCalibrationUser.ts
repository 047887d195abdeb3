// The person at the arm, through the terminal: ENTER to go on, a letter for the other choices, and a live
// table of the ranges recorded so far.
import { createInterface, type Interface } from 'node:readline';
import { sweptSpans, type CalibrationState, type CalibrationStep } from '../core/so100';
import type { CalibrationUser } from '../io/robot/calibrationSession';

export class TerminalCalibrationUser implements CalibrationUser, Disposable {
  private readonly rl: Interface;
  private readonly lines: string[] = [];
  private waiter: ((line: string) => void) | undefined;
  private lastPrompt = '';
  private readonly said = new Set<string>();
  private lastDraw = 0;

  constructor(
    input: NodeJS.ReadableStream = process.stdin,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    this.rl = createInterface({ input });
    this.rl.on('line', (line) => {
      const w = this.waiter;
      this.waiter = undefined;
      if (w) w(line.trim().toLowerCase());
      else this.lines.push(line.trim().toLowerCase());
    });
    // End of input (a script ran out of answers, or Ctrl+D) counts as cancel.
    this.rl.on('close', () => {
      this.waiter?.('q');
      this.waiter = undefined;
      this.lines.push('q');
    });
  }

  onStep(step: CalibrationStep): void {
    if (step.prompt && step.prompt !== this.lastPrompt) this.out.write(`\n${step.prompt}\n`);
    this.lastPrompt = step.prompt;
    for (const p of step.problems) {
      if (this.said.has(p.message)) continue;
      this.said.add(p.message);
      this.out.write(`  ! ${p.message}\n`);
    }
  }

  onSample(state: CalibrationState): void {
    if (!this.out.isTTY || Date.now() - this.lastDraw < 250) return;
    this.lastDraw = Date.now();
    const spans = Object.entries(sweptSpans(state)).map(([m, s]) => `${m} ${Math.round(((s ?? 0) * 360) / 4096)}°`);
    this.out.write(`\r  travel so far: ${spans.join('  ')}   `);
  }

  async awaitMiddle(signal: AbortSignal): Promise<'continue' | 'cancel'> {
    this.out.write('  Press ENTER when it is there (q + ENTER cancels).\n');
    const answer = await this.nextLine(signal);
    return answer === 'q' ? 'cancel' : 'continue';
  }

  async awaitRecordingDone(signal: AbortSignal): Promise<'finish' | 'recenter' | 'restart' | 'cancel'> {
    this.out.write(
      '  Press ENTER when done (r = re-centre a joint that crossed the wrap, s = start over, q = cancel).\n',
    );
    const answer = await this.nextLine(signal);
    if (this.out.isTTY) this.out.write('\n');
    return answer === 'q' ? 'cancel' : answer === 'r' ? 'recenter' : answer === 's' ? 'restart' : 'finish';
  }

  [Symbol.dispose](): void {
    this.rl.close();
  }

  private nextLine(signal: AbortSignal): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.waiter = undefined;
        resolve('q');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = (line) => {
        signal.removeEventListener('abort', onAbort);
        resolve(line);
      };
    });
  }
}
