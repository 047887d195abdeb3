// What a runtime session reports through, and the refusal it throws for a command out of phase: shared by the
// session and the parts it delegates to.
import type { RuntimeEventName, RuntimeEvents } from '../core/rpc';

/** Where the session's events go; the RPC server drops telemetry for slow readers. */
export interface RuntimeEventSink {
  emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void;
  /** Camera frames per second wanted by the most demanding listener; 0 = none. */
  frameFps(): number;
}

/** A command that cannot run in the session's current phase; the message says what to do first. */
export class RuntimePhaseError extends Error {
  override readonly name = 'RuntimePhaseError';
}

/**
 * The sink of a session nobody watches (a campaign on virtual time, `so100 eval`): its warnings become log lines, as
 * the rest of the campaign's output; telemetry, its state and its episodes' summaries stay inside (the campaign logs
 * each row itself), and no camera frames are wanted.
 */
export class WarningLineSink implements RuntimeEventSink {
  constructor(private readonly log: (line: string) => void) {}

  emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void {
    if (event === 'warning') this.log(`  warning: ${(data as RuntimeEvents['warning']).message}`);
  }

  frameFps(): number {
    return 0;
  }
}
