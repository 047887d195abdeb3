// Applying a changed config to a connected session by class (core/config/configChanges.ts): hot settings reach the
// arm and the running loop now, next-episode ones wait for the next episode, and what needs the arm reconnected or
// a server restarted is left to the host (see ConfigApplied).
import { classifyChanges, toActionSafetyOptions, toChunkSchedulerOptions, type So100Config } from '../core/config';
import type { ConfigApplied } from '../core/rpc';
import type { EpisodeLoop } from './episodeLoop';
import type { SessionConverter } from './sessionConverter';
import type { Connection } from './sessionConnection';

export interface ConfigApplyParts {
  /** The running episode's loop, if any (asked again after the converter loaded: the episode may have ended). */
  readonly runningLoop: () => EpisodeLoop | undefined;
  readonly converter: SessionConverter;
  readonly warn: (message: string) => void;
}

/** Applies `next` to `conn` (which then holds it) and says which paths took effect when. */
export async function applyConfig(
  conn: Connection,
  next: So100Config,
  parts: ConfigApplyParts,
): Promise<ConfigApplied> {
  const { runningLoop, warn } = parts;
  const changes = classifyChanges(conn.config, next);
  const applied: string[] = [];
  const nextEpisode: string[] = [];
  const needs: ConfigApplied['needs'][number][] = [];
  for (const c of changes) {
    if (c.class === 'reconnect-arm' || c.class === 'restart-server') needs.push({ path: c.path, class: c.class });
    else if (c.class === 'next-episode' && runningLoop()) nextEpisode.push(c.path);
    else applied.push(c.path); // hot, or next-episode with no episode running: the next one is built from `next`
  }
  // Hot chunking keys (the seam remedy among them) reach the running scheduler; a mode change is next-episode.
  const loop = runningLoop();
  if (loop && changes.some((c) => c.class === 'hot' && c.path.startsWith('chunking.')))
    try {
      loop.setChunking(toChunkSchedulerOptions(next.chunking));
    } catch (err) {
      warn(`chunking was not applied: ${err instanceof Error ? err.message : String(err)}`);
    }
  if (changes.some((c) => c.path.startsWith('converter'))) await parts.converter.change(conn, next);
  const safety = toActionSafetyOptions(next.robot);
  conn.arm.robot.setMaxStep(safety.maxStep);
  conn.arm.robot.setDisableTorqueOnDisconnect(next.robot.disconnect !== 'hold');
  conn.config = next;
  runningLoop()?.applySettings({
    fps: next.fps,
    task: next.task,
    maxSteps: next.maxSteps,
    requestTimeoutMs: next.requestTimeoutMs,
    maxPolicyFailures: next.maxPolicyFailures,
  });
  return { applied, nextEpisode, needs };
}
