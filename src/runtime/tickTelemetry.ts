// What listeners hear of an episode as it runs: each tick's telemetry at once, camera frames on a fixed grid at the
// rate the most demanding listener asks for (the loop's own rate may be higher), and every chunk the policy returned.
import type { RuntimeEvents, TickTelemetry } from '../core/rpc';
import { SO100_MOTORS, type MotorName } from '../core/so100';
import type { ChunkReport, TickReport } from './episodeLoop';
import type { RuntimeEventSink } from './runtimeEventSink';

export class TickPublisher {
  /** When the next frame is due (performance.now() clock); kept across episodes. */
  private nextFrameMs = -Infinity;

  constructor(private readonly sink: RuntimeEventSink) {}

  /**
   * Emits `tick` and, when a frame is due, one `frame` per camera; `loopFps` is the episode's tick rate. `motors`
   * is the robot's motor order (the SO-100's when left out).
   */
  publish(episode: number, t: TickReport, loopFps: number): void;
  publish<M extends string>(episode: number, t: TickReport<M>, loopFps: number, motors: readonly M[]): void;
  publish(episode: number, t: TickReport<string>, loopFps: number, motors: readonly string[] = SO100_MOTORS): void {
    this.sink.emit('tick', tickTelemetry(episode, t, motors));
    const fps = this.sink.frameFps();
    if (fps <= 0) return;
    // Frames fall due every 1/fps on a fixed grid, with half a tick of slack: ticks start up to a millisecond or
    // two early or late (ms timers), and "since the last frame < 1/fps" skipped every other tick when the frame
    // rate matched the loop's (30 fps asked at 30 Hz, ~18 delivered). After a stall the grid restarts, no burst.
    const now = performance.now();
    const slack = 500 / loopFps;
    if (now < this.nextFrameMs - slack) return;
    const interval = 1000 / fps;
    this.nextFrameMs = now - this.nextFrameMs > interval ? now + interval : this.nextFrameMs + interval;
    for (const [camera, f] of Object.entries(t.images)) {
      // The loop reuses its buffers; the sink gets its own copy.
      this.sink.emit('frame', {
        episode,
        tick: t.index,
        camera,
        width: f.width,
        height: f.height,
        rgb: f.data.slice(),
      });
    }
  }
}

/**
 * A tick as the protocol's `tick` event (and `step`'s reply) carries it: vectors in `motors` order (the robot's; the
 * SO-100's when left out).
 */
export function tickTelemetry(episode: number, t: TickReport<MotorName>): TickTelemetry;
export function tickTelemetry<M extends string>(episode: number, t: TickReport<M>, motors: readonly M[]): TickTelemetry;
export function tickTelemetry(
  episode: number,
  t: TickReport<string>,
  motors: readonly string[] = SO100_MOTORS,
): TickTelemetry {
  return {
    episode,
    index: t.index,
    atMs: t.atMs,
    lateMs: t.lateMs,
    measured: motors.map((m) => t.positions[m]),
    sent: t.sent ? motors.map((m) => t.sent![m]) : undefined,
    starved: t.starved,
    chunkBoundary: t.chunkBoundary,
    ...(t.seamRatio !== undefined && Number.isFinite(t.seamRatio) && { seamRatio: t.seamRatio }),
    clamped: t.clamped.map((c) => ({ motor: c.motor, reason: c.reason })),
    stageMs: { ...t.stageMs },
  };
}

/** A chunk as the protocol's `chunk` event carries it (the dashboard's fan of predictions). */
export function chunkEvent(episode: number, c: ChunkReport): RuntimeEvents['chunk'] {
  return {
    episode,
    requestId: c.requestId,
    observationTick: c.observationTick,
    horizon: c.horizon,
    dims: c.dims,
    targets: Array.from(c.targets),
    accepted: c.accepted,
    latencyMs: c.latencyMs,
  };
}
