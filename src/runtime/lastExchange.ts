// The last exchange of the control loop with the policy, kept for the Converter Inspector: the observation the
// last request was built from, the policy input, the reply, the targets and the last tick's safety outcome.
// Bounded: one of each. Cheap: per tick only references are kept; per request the camera frames are copied once
// into buffers owned here (the cameras reuse theirs), which is what lets the inspector look at them later.
import type { ActionChunk } from '../core/chunking/actionChunk';
import type {
  ConverterFailure,
  ExchangeSnapshot,
  JointTargets,
  Layout,
  LeRobotObservation,
  RgbFrame,
  SafetySnapshot,
} from '../core/convert';
import type { WireValue } from '../core/protocols';
import type { MotorRecord } from '../core/robots';
import { SO100_MOTORS, type ClampEvent, type MotorName, type PerMotor } from '../core/so100';
import { UserConverterError } from '../io/convert';

/**
 * What the episode loop tells the exchange it keeps, for a robot with motors `M`. LastExchange keeps the SO-100's
 * (its snapshot, the Converter Inspector's, lists the six motors).
 */
export interface ExchangeSink<M extends string = MotorName> {
  /** The tick of the observation kept, if any. */
  readonly tick: number | undefined;
  observe(tick: number | undefined, obs: LeRobotObservation<M>): void;
  converted(input: { readonly [key: string]: WireValue }, warnings: readonly string[]): void;
  failed(stage: 'toPolicy' | 'fromPolicy', err: unknown): void;
  replied(raw: { readonly [key: string]: WireValue }, chunk: ActionChunk): void;
  backConverted(targets: JointTargets): void;
  acted(
    index: number,
    measured: MotorRecord<M, number>,
    sent: MotorRecord<M, number> | undefined,
    clamped: readonly ClampEvent<M>[],
  ): void;
}

export class LastExchange implements ExchangeSink {
  private readonly frames = new Map<string, Uint8Array>();
  private episodeNumber: number | undefined;
  private tickIndex: number | undefined;
  private obs: LeRobotObservation | undefined;
  private input: { readonly [key: string]: WireValue } | undefined;
  private converterWarnings: readonly string[] = [];
  private error: ConverterFailure | undefined;
  private replyRaw: { readonly [key: string]: WireValue } | undefined;
  private replyChunk: ActionChunk | undefined;
  private targets: JointTargets | undefined;
  private lastTick:
    { index: number; measured: PerMotor<number>; sent?: PerMotor<number>; clamped: readonly ClampEvent[] } | undefined;

  /** The observation of the last request (frames owned here), if any. */
  get observation(): LeRobotObservation | undefined {
    return this.obs;
  }

  /** The policy's last actions as a chunk, for running fromPolicy again. */
  get lastChunk(): ActionChunk | undefined {
    return this.replyChunk;
  }

  get lastReply(): { readonly [key: string]: WireValue } | undefined {
    return this.replyRaw;
  }

  get episode(): number | undefined {
    return this.episodeNumber;
  }

  get tick(): number | undefined {
    return this.tickIndex;
  }

  beginEpisode(episode: number): void {
    this.episodeNumber = episode;
  }

  /**
   * A new observation for the policy (its frames copied into buffers owned here); what came from the previous one
   * (input, reply, targets) is cleared, so the parts shown always belong together.
   */
  observe(tick: number | undefined, obs: LeRobotObservation): void {
    const images: Record<string, RgbFrame> = {};
    for (const [camera, f] of Object.entries(obs.images)) {
      let buf = this.frames.get(camera);
      if (!buf || buf.length !== f.data.length) this.frames.set(camera, (buf = new Uint8Array(f.data.length)));
      buf.set(f.data);
      images[camera] = { width: f.width, height: f.height, data: buf };
    }
    for (const camera of [...this.frames.keys()]) if (!(camera in images)) this.frames.delete(camera);
    this.tickIndex = tick;
    this.obs = { positions: obs.positions, images, task: obs.task };
    this.input = undefined;
    this.converterWarnings = [];
    this.error = undefined;
    this.replyRaw = undefined;
    this.replyChunk = undefined;
    this.targets = undefined;
  }

  /** What toPolicy made of the current observation (the converter's arrays are fresh: kept, not copied). */
  converted(input: { readonly [key: string]: WireValue }, warnings: readonly string[]): void {
    this.input = input;
    this.converterWarnings = warnings;
  }

  /** The converter failed on the current observation or on the reply. */
  failed(stage: 'toPolicy' | 'fromPolicy', err: unknown): void {
    this.error = converterFailure(stage, err);
  }

  /** The policy's reply to the current observation. */
  replied(raw: { readonly [key: string]: WireValue }, chunk: ActionChunk): void {
    this.replyRaw = raw;
    this.replyChunk = chunk;
  }

  backConverted(targets: JointTargets): void {
    this.targets = targets;
  }

  /** Each tick: the measured joints and what safety let through (references; the loop makes fresh objects). */
  acted(
    index: number,
    measured: PerMotor<number>,
    sent: PerMotor<number> | undefined,
    clamped: readonly ClampEvent[],
  ): void {
    this.lastTick = { index, measured, sent, clamped };
  }

  snapshot(converter: string, layout: Layout | undefined): ExchangeSnapshot {
    const t = this.lastTick;
    const safety: SafetySnapshot | undefined = t && {
      tick: t.index,
      motors: [...SO100_MOTORS],
      measured: SO100_MOTORS.map((m) => t.measured[m]),
      ...(t.sent && { sent: SO100_MOTORS.map((m) => t.sent![m]) }),
      clamped: t.clamped.map((c) => ({ motor: c.motor, reason: c.reason })),
    };
    return {
      converter,
      layout,
      episode: this.episodeNumber,
      tick: this.tickIndex,
      observation: this.obs,
      input: this.input,
      converterWarnings: this.converterWarnings,
      reply: this.replyRaw,
      targets: this.targets,
      safety,
      error: this.error,
    };
  }
}

/** A converter's exception as data: a user module's file, line and column when known. */
export function converterFailure(stage: string, err: unknown): ConverterFailure {
  if (err instanceof UserConverterError) {
    const at = err.location;
    return {
      stage: err.stage,
      message: err.message,
      file: at?.file ?? err.file,
      ...(at && { line: at.line, column: at.column }),
    };
  }
  return { stage, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}
