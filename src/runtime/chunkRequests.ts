// The loop's request/reply path: convert an observation (on the converter's thread when it has one), ask the
// policy, turn the reply into joint targets and hand them to the chunk scheduler; count failures in a row. At most
// one request is in flight; the tick never waits for it.
import { ActionChunk } from '../core/chunking/actionChunk';
import type { ChunkRequest, ChunkScheduler } from '../core/chunking';
import type { Converter, LeRobotObservation, PolicyInput } from '../core/convert';
import type { RobotDescription } from '../core/robots';
import { findFarTarget, type MotorName } from '../core/so100';
import type { PolicyClient, PolicyResult } from '../io/policy/policyClient';
import type { EpisodeSettings } from './episodeLoop';
import { wallClock } from '../io/clock/wallClock';

/** What the path needs of the loop it serves, for a robot with motors `M`. */
export interface RequestHost<M extends string = MotorName> {
  /** The robot: a chunk's rows are its motors, in its order. */
  readonly robot: RobotDescription<M>;
  readonly scheduler: ChunkScheduler;
  /** The settings now in force (they change between ticks). */
  settings(): EpisodeSettings<M>;
  /** The client requests go to now: a reply from any other is no longer this episode's business. */
  currentClient(): PolicyClient;
  /** Set once the episode is ending: a request converted after that is not sent. */
  ended(): boolean;
  sample(stage: string, ms: number): void;
  warn(message: string): void;
  stop(reason: string): void;
}

export class ChunkRequests<M extends string = MotorName> {
  private inFlightValue: Promise<void> | undefined;
  private failures = 0;
  private accepted = 0;
  private lastHorizon = 0;
  /** Problems reported once per episode (each would otherwise repeat on every tick or chunk). */
  private starvationWarned = false;
  private farTargetWarned = false;

  /** Values per chunk row: the robot's motor count. */
  private readonly dims: number;

  constructor(private readonly host: RequestHost<M>) {
    this.dims = host.robot.motors.length;
  }

  /** The request being converted or answered, if any. */
  get inFlight(): Promise<void> | undefined {
    return this.inFlightValue;
  }

  /** Chunks the scheduler accepted this episode. */
  get chunks(): number {
    return this.accepted;
  }

  /** Another model from this tick on: its predecessor's request is not waited for, and its failures do not count. */
  swapped(): void {
    this.inFlightValue = undefined;
    this.failures = 0;
  }

  /** Sends this tick's observation for `req`; returns at once (the request runs in the background). */
  send(req: ChunkRequest, observation: LeRobotObservation<M>, converter: Converter<M>, client: PolicyClient): void {
    const t0 = performance.now();
    let flight: Promise<void>;
    // Under virtual time the loop waits for the conversion whatever thread runs it (it takes no simulated time), so
    // it runs here: no hand-over of the frames to the worker and back.
    const virtual = this.host.settings().clock?.kind === 'virtual';
    if (converter.toPolicyAsync && !virtual) {
      // Off the loop's thread: the tick goes on; the request leaves when the input is ready.
      flight = converter.toPolicyAsync(observation).then(
        (converted) => this.converted(req, observation, converter, client, t0, converted),
        (err: unknown) => this.convertFailed(req, observation, converter, t0, err),
      );
    } else {
      let converted: PolicyInput;
      try {
        converted = converter.toPolicy(observation);
      } catch (err) {
        this.convertFailed(req, observation, converter, t0, err);
        return;
      }
      flight = this.converted(req, observation, converter, client, t0, converted);
    }
    const tracked: Promise<void> = flight.finally(() => {
      if (this.inFlightValue === tracked) this.inFlightValue = undefined;
    });
    this.inFlightValue = tracked;
  }

  /**
   * Async mode should never run dry once chunks flow: when it does while a reply is on its way, the policy is slower
   * than the queue lasts. Said once per episode; the summary counts every starved tick.
   */
  noteStarvation(index: number, periodMs: number): void {
    const { scheduler } = this.host;
    if (this.starvationWarned || this.accepted === 0 || this.failures > 0 || scheduler.options.mode !== 'async') return;
    // A request made this very tick (the first after a failure, say) is not a slow one.
    const pending = scheduler.pendingRequest;
    if (!this.inFlightValue || !pending || pending.observationIndex >= index) return;
    this.starvationWarned = true;
    const last = scheduler.stats().lastLatencyMs;
    const lasts = Math.round(this.lastHorizon * periodMs);
    this.host.warn(
      `tick ${index}: starved — no action was queued while the policy was still answering (its last reply took ` +
        `${Math.round(last)} ms; a chunk of ${this.lastHorizon} actions lasts ${lasts} ms at ${this.host.settings().fps} fps); the arm holds ` +
        'its position until the reply arrives. Use a faster server or longer chunks, or ask earlier (chunking.threshold). Shown once per episode',
    );
  }

  /** A converter bug or a missing camera: no request this time, the arm holds, and it counts as a failure. */
  private convertFailed(
    req: ChunkRequest,
    observation: LeRobotObservation<M>,
    converter: Converter<M>,
    t0: number,
    err: unknown,
  ): void {
    this.host.sample('convert', performance.now() - t0);
    this.host.scheduler.abandon(req);
    const exchange = this.host.settings().exchange;
    exchange?.observe(req.observationIndex, observation);
    exchange?.failed('toPolicy', err);
    this.failed(`converter ${converter.name} failed: ${messageOf(err)}`);
  }

  /** The input is ready: record it for the inspector and send it; resolves when the reply is handled. */
  private converted(
    req: ChunkRequest,
    observation: LeRobotObservation<M>,
    converter: Converter<M>,
    client: PolicyClient,
    t0: number,
    converted: PolicyInput,
  ): Promise<void> {
    const { host } = this;
    const { scheduler } = host;
    const settings = host.settings();
    const exchange = settings.exchange;
    host.sample('convert', performance.now() - t0);
    for (const w of converted.warnings) host.warn(w);
    // After the conversion, so its time is not the inspector's (one frame copy per request, not per tick).
    exchange?.observe(req.observationIndex, observation);
    exchange?.converted(converted.input, converted.warnings);
    if (client !== host.currentClient() || host.ended()) {
      // Swapped or ended while the input was being made: this request belongs to no one now.
      scheduler.abandon(req);
      return Promise.resolve();
    }
    // Request and reply are placed on the episode's clock (the scheduler's latency, the chunks' times).
    const clock = settings.clock ?? wallClock;
    const requestedAt = clock.now();
    return client.infer(converted.input, { timeoutMs: settings.requestTimeoutMs }).then(
      (r) => {
        try {
          const usable = this.received(r, req, converter, requestedAt);
          if (client !== host.currentClient()) return;
          if (usable) this.failures = 0;
          else
            this.failed(
              'the policy returned NaN or Inf actions; the chunk was discarded and the arm held its position',
            );
        } catch (err) {
          scheduler.abandon(req);
          if (client === host.currentClient()) {
            host.settings().exchange?.failed('fromPolicy', err);
            this.failed(`converter ${converter.name} failed on the policy's reply: ${messageOf(err)}`);
          }
        }
      },
      (err: unknown) => {
        scheduler.abandon(req);
        if (client !== host.currentClient()) return; // a swapped-out model's failure is no longer ours
        this.failed(messageOf(err), 'policy request failed');
      },
    );
  }

  /** A chunk came back: timing, back-conversion, the scheduler, the record, the listeners. False: it was not finite. */
  private received(r: PolicyResult, req: ChunkRequest, converter: Converter<M>, requestedAt: number): boolean {
    const { host } = this;
    const settings = host.settings();
    const t = r.clientTiming;
    host.sample('encode', t.encodeMs);
    if (t.networkMs !== undefined) host.sample('network', t.networkMs);
    if (r.serverTiming) host.sample('server infer', r.serverTiming.inferMs);
    host.sample('decode', t.decodeMs);
    host.sample('policy total', t.totalMs);
    const exchange = settings.exchange;
    if (exchange?.tick === req.observationIndex) exchange.replied(r.raw, r.actions);
    const back = converter.fromPolicy(r.actions);
    if (exchange?.tick === req.observationIndex) exchange.backConverted(back);
    for (const w of back.warnings) host.warn(w);
    const receivedAt = (settings.clock ?? wallClock).now();
    const delivery = host.scheduler.deliver(new ActionChunk(back.horizon, this.dims, back.targets), req, {
      requestedAtMs: requestedAt,
      receivedAtMs: receivedAt,
    });
    settings.recorder?.recordChunk({
      requestId: req.id,
      observationTick: req.observationIndex,
      requestedAtMs: requestedAt,
      receivedAtMs: receivedAt,
      horizon: back.horizon,
      dims: this.dims,
      values: back.targets,
      accepted: delivery.accepted,
      discardReason: delivery.accepted ? undefined : delivery.reason,
    });
    settings.onChunk?.({
      requestId: req.id,
      observationTick: req.observationIndex,
      horizon: back.horizon,
      dims: this.dims,
      targets: back.targets,
      accepted: delivery.accepted,
      latencyMs: receivedAt - requestedAt,
    });
    if (delivery.accepted) {
      this.accepted++;
      this.lastHorizon = back.horizon;
      this.checkFarTargets(back.targets, req.observationIndex);
    } else if (delivery.reason !== 'other-epoch' && delivery.reason !== 'non-finite') {
      host.warn(`a chunk was discarded: ${delivery.message}`);
    }
    return delivery.accepted || delivery.reason !== 'non-finite';
  }

  /** Targets far outside a joint's range mean wrong units, not an ambitious policy; safety clamps, the user is told once. */
  private checkFarTargets(targets: Float64Array, observationTick: number): void {
    const ranges = this.host.settings().jointRanges;
    if (this.farTargetWarned || !ranges) return;
    const far = findFarTarget(targets, ranges, this.host.robot.motors);
    if (!far) return;
    this.farTargetWarned = true;
    this.host.warn(
      `the chunk for tick ${observationTick} asks ${far.motor} for ${far.value.toPrecision(6)} (row ${far.row}), far outside its ` +
        `calibrated range ${far.range.min.toFixed(1)}..${far.range.max.toFixed(1)}; safety clamps such targets to the range and the step cap, ` +
        'so the arm will not follow the policy. Check the action units and normalisation (robot.normMode, the converter). Shown once per episode',
    );
  }

  /** One more failure in a row (request, converter); too many end the episode with the last one's reason. */
  private failed(message: string, label?: string): void {
    this.failures++;
    this.host.warn(label ? `${label}: ${message}` : message);
    const limit = this.host.settings().maxPolicyFailures ?? 3;
    if (this.failures >= limit) this.host.stop(`the policy failed ${this.failures} times in a row; last: ${message}`);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
