// Which session an editor campaign (EvaluationRun, in process here) runs its episodes on, and that Cancel and the
// e-stop stop that one: on virtual time a session of the campaign's own on a virtual clock, never the runtime's
// (which stays idle); the episode under way ends at once ("stopped by the user" / "emergency stop"), is not counted,
// and its record says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import type { EvaluationEnded, RuntimeEventName, RuntimeEvents } from '../../src/core/rpc';
import { EvaluationRun } from '../../src/runtime/evaluationRun';
import { RuntimeSession, type RuntimeEventSink } from '../../src/runtime/runtimeSession';

class Events implements RuntimeEventSink {
  readonly names: RuntimeEventName[] = [];
  emit<E extends RuntimeEventName>(event: E, _data: RuntimeEvents[E]): void {
    this.names.push(event);
  }
  frameFps(): number {
    return 0;
  }
}

/** Resolves with the session and its episode's number each time an episode has started on any session. */
function watchEpisodeStarts(): { next: () => Promise<RuntimeSession>; restore: () => void } {
  const original = RuntimeSession.prototype.runEpisode;
  const waiting: ((s: RuntimeSession) => void)[] = [];
  RuntimeSession.prototype.runEpisode = async function (this: RuntimeSession, ...args) {
    const status = await original.apply(this, args);
    waiting.shift()?.(this);
    return status;
  };
  return {
    next: () => new Promise((r) => waiting.push(r)),
    restore: () => {
      RuntimeSession.prototype.runEpisode = original;
    },
  };
}

/** The one episode record of `out` that results.csv does not list, and its episode.json. */
async function unlistedRecord(out: string): Promise<{ result: { reason: string; steps?: number } | null }> {
  const listed = (await readFile(path.join(out, 'results.csv'), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split(',')[2]);
  const records = (await readdir(path.join(out, 'episodes'))).map((d) => path.join('episodes', d));
  const unlisted = records.filter((d) => !listed.includes(d));
  assert.equal(unlisted.length, 1, `one episode stopped: ${records.join(' ')} (listed ${listed.join(' ')})`);
  return JSON.parse(await readFile(path.join(out, unlisted[0], 'episode.json'), 'utf8'));
}

for (const how of ['cancel', 'e-stop'] as const) {
  test(`virtual time: ${how} stops the episode under way on the campaign's own session`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'so100-evaluation-run-'));
    const starts = watchEpisodeStarts();
    const editor = new RuntimeSession(new Events(), dir);
    const log: string[] = [];
    try {
      const out = path.join(dir, 'campaign');
      const config = {
        ...defaultConfig(),
        maxSteps: 600,
        record: { ...defaultConfig().record, frames: 'none' as const },
      };
      const ended: EvaluationEnded[] = [];
      const first = starts.next();
      const run = await EvaluationRun.start(
        editor,
        { config, models: ['pi0'], episodes: 2, seed: 4, outDir: out },
        dir,
        (event, data) => {
          if (event === 'evaluationEnded') ended.push(data as EvaluationEnded);
        },
        (line) => log.push(line),
      );
      const session = await first;
      assert.notEqual(session, editor, "the campaign's own session, not the runtime's");
      assert.equal(session.clock.kind, 'virtual');
      assert.equal(editor.status().phase, 'idle');
      if (how === 'cancel') await run.cancel();
      else {
        // What the runtime does on `estop`: the campaign (its session's outcome is the one reported), then its own.
        const stopped = run.abortForEstop();
        await editor.estop();
        assert.deepEqual(await stopped, { torqueOff: true, failedMotors: [] }, "the campaign's arm is limp");
      }
      const end = await run.ended;
      assert.equal(end.outcome, 'cancelled', end.message);
      assert.deepEqual(ended, [end]);
      const episode = await unlistedRecord(out);
      assert.match(
        episode.result?.reason ?? '(no result)',
        how === 'cancel' ? /stopped by the user/ : /emergency stop/,
        'the episode under way was stopped, not run to its end',
      );
      assert.equal(session.status().phase, 'idle', "the campaign's session is disconnected at the end");
      assert.equal(editor.status().phase, 'idle', "the runtime's session was never touched");
      assert.match(log.join('\n'), /Virtual time/);
    } finally {
      starts.restore();
      await editor.disconnect().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
}
