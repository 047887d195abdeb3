// The configured cameras as one source for the loop: synthetic views of the simulated scene rendered for the
// measured joints, and ffmpeg cameras whose newest frame is taken as it is. capture() never waits.
import type { CameraConfig } from '../core/config';
import type { RgbFrame } from '../core/convert';
import { SceneRenderer, type CubeTask, type SceneView } from '../core/scene';
import { FfmpegCamera, type CameraStatus } from '../io/camera/ffmpegCamera';
import type { CameraSource } from './episodeLoop';

/** Synthetic cameras render at the size the policies take, so no resize is spent on them. */
export const SYNTHETIC_SIZE = 224;
/** A camera frame older than this is reported (once per camera) as stale. */
const STALE_AFTER_MS = 500;

export interface CameraDescriptor {
  readonly name: string;
  readonly width: number;
  readonly height: number;
}

interface Synthetic {
  readonly name: string;
  readonly view: SceneView;
  readonly buffer: Uint8Array;
}

export class CameraRig implements CameraSource, AsyncDisposable {
  private readonly renderer = new SceneRenderer();
  private readonly staleReported = new Set<string>();
  /** Age of the oldest real camera frame the last capture returned (0 with synthetic views only). */
  lastFrameAgeMs = 0;
  /** The first camera the last capture left out: its newest frame was stale, or it has sent none yet. */
  staleCamera: string | undefined;
  /** Counts capture() calls: a frame object of an older capture never renders into the shared buffers. */
  private generation = 0;

  private constructor(
    private readonly synthetic: readonly Synthetic[],
    private readonly real: ReadonlyMap<string, FfmpegCamera>,
    private scene: CubeTask | undefined,
    private readonly onWarning: (m: string) => void,
  ) {}

  /**
   * Starts the ffmpeg cameras and waits (up to `firstFrameMs`) for each to stream: one that fails rejects with its
   * message and advice, naming the camera; one that is merely slow is reported and joins when its frames come.
   * Later stalls and failures are reported through onWarning. Synthetic views need the scene.
   */
  static async open(
    cameras: Readonly<Record<string, CameraConfig>>,
    scene: CubeTask | undefined,
    onWarning: (m: string) => void = () => {},
    firstFrameMs = 5000,
    ffmpegPath?: string,
  ): Promise<CameraRig> {
    const synthetic: Synthetic[] = [];
    const real = new Map<string, FfmpegCamera>();
    try {
      for (const [name, c] of Object.entries(cameras)) {
        if (c.kind === 'synthetic')
          synthetic.push({ name, view: c.view, buffer: new Uint8Array(SYNTHETIC_SIZE * SYNTHETIC_SIZE * 3) });
        else
          real.set(
            name,
            await FfmpegCamera.start({
              name,
              input: { kind: c.format ?? platformInput(), device: c.device },
              width: c.width,
              height: c.height,
              fps: c.fps,
              ffmpegPath,
            }),
          );
      }
      await Promise.all(
        [...real].map(async ([name, cam]) => {
          const first = await firstState(cam, firstFrameMs);
          if (first.state === 'failed') throw new CameraStartError(name, describe(first));
          if (first.state !== 'streaming')
            onWarning(`camera '${name}' has sent no frame after ${firstFrameMs} ms; it joins when it does`);
          cam.onStateChange((st) => {
            if (st.state === 'failed' || st.state === 'stalled') onWarning(`camera '${name}': ${describe(st)}`);
          });
        }),
      );
    } catch (err) {
      await Promise.allSettled([...real.values()].map((cam) => cam.stop()));
      throw err;
    }
    return new CameraRig(synthetic, real, scene, onWarning);
  }

  /** True when some camera looks at the simulated scene (which then also judges success). */
  get hasSyntheticCameras(): boolean {
    return this.synthetic.length > 0;
  }

  get descriptors(): CameraDescriptor[] {
    return [
      ...this.synthetic.map((s) => ({ name: s.name, width: SYNTHETIC_SIZE, height: SYNTHETIC_SIZE })),
      ...[...this.real].map(([name, cam]) => ({ name, width: cam.config.width, height: cam.config.height })),
    ];
  }

  /** A new scene after a reset. */
  setScene(scene: CubeTask): void {
    this.scene = scene;
  }

  /**
   * The newest frame of every camera. Synthetic views are rendered on first read, not here: most ticks read no
   * picture (the converter reads them on request ticks, telemetry and recording at their own rates), and rendering
   * both views was most of a tick's cost. A view read later in the same tick is the same picture (same joints, same
   * scene); read after the next capture() it is whatever the reused buffer holds, as before.
   */
  capture(joints: ArrayLike<number>): Readonly<Record<string, RgbFrame>> {
    const out: Record<string, RgbFrame> = {};
    if (this.scene) {
      const state = { joints: Float64Array.from(joints), cubeCenter: this.scene.cubeCenter, scene: this.scene.scene };
      const generation = ++this.generation;
      for (const s of this.synthetic) {
        let frame: RgbFrame | undefined;
        Object.defineProperty(out, s.name, {
          enumerable: true,
          get: (): RgbFrame => {
            if (frame) return frame;
            if (generation === this.generation)
              this.renderer.render(s.view, state, s.buffer, SYNTHETIC_SIZE, SYNTHETIC_SIZE);
            return (frame = { width: SYNTHETIC_SIZE, height: SYNTHETIC_SIZE, data: s.buffer });
          },
        });
      }
    }
    let oldest = 0;
    this.staleCamera = undefined;
    for (const [name, cam] of this.real) {
      const age = cam.frameAgeMs();
      const frame = cam.latest();
      if (!frame || age === undefined) {
        // Not streaming yet (open() said so once): like a stale camera, the policy is not asked without it. Left to
        // the converter, a missing view read as "not one of the robot's cameras" and ended the episode.
        this.staleCamera ??= name;
        continue;
      }
      if (age > STALE_AFTER_MS) {
        if (!this.staleReported.has(name))
          this.onWarning(
            `camera '${name}': newest frame is ${Math.round(age)} ms old; ${cam.status.message ?? 'is it still streaming?'}`,
          );
        this.staleReported.add(name);
        this.staleCamera ??= name;
        continue; // never feed the policy a stale image
      }
      this.staleReported.delete(name);
      out[name] = frame;
      oldest = Math.max(oldest, age);
    }
    this.lastFrameAgeMs = oldest;
    return out;
  }

  /** Every view rendered once at a neutral pose, and the real cameras' newest frames: for the loop's warm-up only. */
  warmUpFrames(): Readonly<Record<string, RgbFrame>> {
    const out: Record<string, RgbFrame> = {};
    if (this.scene) {
      const state = { joints: new Float64Array(6), cubeCenter: this.scene.cubeCenter, scene: this.scene.scene };
      ++this.generation; // the shared buffers now hold this picture: an older capture's frame must not render over it
      for (const s of this.synthetic) {
        this.renderer.render(s.view, state, s.buffer, SYNTHETIC_SIZE, SYNTHETIC_SIZE);
        out[s.name] = { width: SYNTHETIC_SIZE, height: SYNTHETIC_SIZE, data: s.buffer };
      }
    }
    for (const [name, cam] of this.real) {
      const frame = cam.latest();
      if (frame) out[name] = frame;
    }
    return out;
  }

  /** The first real camera whose ffmpeg has ended (it sends no more frames), as the reason to end an episode. */
  get failure(): string | undefined {
    for (const [name, cam] of this.real) {
      if (cam.state === 'failed') return `camera '${name}' failed: ${describe(cam.status)}`;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.real.values()].map((cam) => cam.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function platformInput(): 'v4l2' | 'avfoundation' | 'dshow' {
  return process.platform === 'darwin' ? 'avfoundation' : process.platform === 'win32' ? 'dshow' : 'v4l2';
}

/** A camera that could not start; the message carries ffmpeg's reason and advice. */
export class CameraStartError extends Error {
  override readonly name = 'CameraStartError';
  constructor(
    readonly camera: string,
    detail: string,
  ) {
    super(`camera '${camera}' did not start: ${detail}`);
  }
}

function describe(st: CameraStatus): string {
  return [st.message ?? st.state, ...(st.advice ?? [])].join(' ');
}

/** Resolves with the camera's state once it streams or fails, or after `ms`. */
function firstState(cam: FfmpegCamera, ms: number): Promise<CameraStatus> {
  if (cam.state === 'streaming' || cam.state === 'failed') return Promise.resolve(cam.status);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(cam.status);
    }, ms);
    const off = cam.onStateChange((st) => {
      if (st.state === 'streaming' || st.state === 'failed') {
        clearTimeout(timer);
        off();
        resolve(st);
      }
    });
  });
}
