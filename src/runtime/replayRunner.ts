// The runtime's one replay at a time: runs `replayEpisode` for a host, reports progress as events, and cancels on
// request. Separate from RuntimeSession: a replay uses no arm, so it runs whatever the session is doing.
import type { ReplayDone, RuntimeMethods } from '../core/rpc';
import type { RuntimeEventSink } from './runtimeSession';
import { planReplay, replayEpisode } from './episodeReplay';

/** What a host asks for (the protocol's own params type). */
export type ReplayParams = RuntimeMethods['replayEpisode']['params'];

export class ReplayRunner {
  private running: AbortController | undefined;

  constructor(
    private readonly sink: Pick<RuntimeEventSink, 'emit'>,
    private readonly workspace: string,
  ) {}

  async run(p: ReplayParams): Promise<ReplayDone> {
    if (this.running) throw new Error('a replay is already running; wait for it or cancel it first');
    const abort = new AbortController();
    this.running = abort;
    const notes: string[] = [];
    const note = (m: string) => {
      if (!notes.includes(m)) notes.push(m);
    };
    try {
      const plan = await planReplay({
        dir: p.dir,
        config: p.config,
        every: p.every,
        ffmpegPath: p.ffmpegPath,
        onNote: note,
      });
      const outcome = await replayEpisode(plan, {
        workspace: this.workspace,
        model: p.model,
        endpoint: p.endpoint,
        signal: abort.signal,
        onNote: note,
        onProgress: (done, total) => this.sink.emit('replayProgress', { dir: p.dir, model: p.model, done, total }),
      });
      return { ...outcome, notes };
    } finally {
      if (this.running === abort) this.running = undefined;
    }
  }

  cancel(): void {
    this.running?.abort(new Error('the replay was cancelled'));
  }
}
