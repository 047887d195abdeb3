// The simulated arm's cameras: `front` and `wrist` views of the cube scene rendered from the arm's joint state,
// into buffers reused tick after tick (the converter copies what it keeps).
import type { RgbFrame } from '../../core/convert';
import { SceneRenderer, type SceneView } from '../../core/scene';
import type { CubeTask } from '../../core/scene';

export class SyntheticCameras {
  private readonly renderer = new SceneRenderer();
  private readonly buffers: Record<SceneView, Uint8Array>;

  constructor(
    private readonly task: CubeTask,
    readonly width = 224,
    readonly height = 224,
  ) {
    this.buffers = { front: new Uint8Array(width * height * 3), wrist: new Uint8Array(width * height * 3) };
  }

  /** Renders both views for these joints (LeRobot units); valid until the next capture. */
  capture(joints: ArrayLike<number>): Record<SceneView, RgbFrame> {
    const state = { joints, cubeCenter: this.task.cubeCenter, scene: this.task.scene };
    const out = {} as Record<SceneView, RgbFrame>;
    for (const view of ['front', 'wrist'] as const) {
      this.renderer.render(view, state, this.buffers[view], this.width, this.height);
      out[view] = { width: this.width, height: this.height, data: this.buffers[view] };
    }
    return out;
  }
}
