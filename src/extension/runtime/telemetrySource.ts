// What a panel needs from the runtime: its events, its status, and the episode commands. The runtime controller
// implements it over the RuntimeClient; panels never talk to the socket themselves.
import type * as vscode from 'vscode';
import type { RuntimeEventName, RuntimeEvents, RuntimeStatus } from '../../core/rpc';

export type EpisodeCommand = 'runEpisode' | 'step' | 'pause' | 'resume' | 'stop' | 'estop' | 'reset';

export interface TelemetrySource {
  /** Runtime events as they arrive (tick, chunk, frame, state, warning, episodeEnded). */
  onEvent<E extends RuntimeEventName>(event: E, listener: (data: RuntimeEvents[E]) => void): vscode.Disposable;
  /** The latest known status; undefined while no runtime is running. */
  status(): RuntimeStatus | undefined;
  /** Asks for camera frames at up to `fps` per camera (0 = none); the most demanding panel wins. */
  requestFrames(owner: object, fps: number): void;
  /** Runs an episode command as the palette would (errors are shown to the user, not thrown). */
  command(name: EpisodeCommand): Promise<void>;
}
