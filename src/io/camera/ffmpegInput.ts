// The ffmpeg argument array for one camera: platform capture input in, raw rgb24 frames of the configured
// size out on stdout. An array, never a shell string, so device names with spaces or quotes stay intact.
import { CameraConfigError } from './cameraErrors';

/**
 * Where frames come from: `v4l2` (Linux, device `/dev/video0`), `avfoundation` (macOS, device index or name,
 * e.g. `0`), `dshow` (Windows, device name, e.g. `Integrated Camera`), `lavfi` (ffmpeg's generated test
 * sources, e.g. `testsrc=size=320x240:rate=30`, for tests and demos).
 */
export interface CameraInput {
  readonly kind: 'v4l2' | 'avfoundation' | 'dshow' | 'lavfi';
  readonly device: string;
}

export interface CameraMode {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/** Checks size and fps; `name` names the camera in the error. */
export function checkCameraMode(name: string, mode: CameraMode, input: CameraInput): void {
  const { width, height, fps } = mode;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    width > 8192 ||
    height > 8192
  ) {
    throw new CameraConfigError(
      `Camera '${name}': width and height must be integers in 1..8192, got ${width}x${height}.`,
    );
  }
  if (!Number.isFinite(fps) || fps <= 0 || fps > 240) {
    throw new CameraConfigError(`Camera '${name}': fps must be a number in (0, 240], got ${fps}.`);
  }
  if (input.device.trim() === '') {
    throw new CameraConfigError(`Camera '${name}': input.device is empty; set it (e.g. ${exampleDevice(input.kind)}).`);
  }
}

/** The full argument list after the ffmpeg binary. */
export function ffmpegCameraArgs(input: CameraInput, mode: CameraMode): string[] {
  const size = `${mode.width}x${mode.height}`;
  const fps = String(mode.fps);
  // Quiet except for errors: those lines are what failure advice is made from.
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  switch (input.kind) {
    case 'lavfi':
      // Generated sources run as fast as the CPU allows; -re paces them like a real camera.
      args.push('-re', '-f', 'lavfi', '-i', input.device);
      break;
    case 'v4l2':
    case 'avfoundation':
      args.push('-fflags', 'nobuffer', '-f', input.kind, '-framerate', fps, '-video_size', size, '-i', input.device);
      break;
    case 'dshow': {
      const device = /^(video|audio)=/.test(input.device) ? input.device : `video=${input.device}`;
      args.push('-fflags', 'nobuffer', '-f', 'dshow', '-framerate', fps, '-video_size', size, '-i', device);
      break;
    }
  }
  // The scale filter guarantees the byte count per frame even when a device picks the nearest mode it has.
  args.push('-an', '-vf', `scale=${mode.width}:${mode.height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return args;
}

/** How to list the devices ffmpeg can open with this input kind. */
export function listDevicesHint(kind: CameraInput['kind']): string {
  switch (kind) {
    case 'v4l2':
      return 'list cameras with `v4l2-ctl --list-devices` or `ls /dev/video*`';
    case 'avfoundation':
      return 'list cameras with `ffmpeg -f avfoundation -list_devices true -i ""`';
    case 'dshow':
      return 'list cameras with `ffmpeg -list_devices true -f dshow -i dummy`';
    case 'lavfi':
      return 'check the lavfi source expression (e.g. `testsrc=size=320x240:rate=30`)';
  }
}

/** How to list the sizes and rates a device supports. */
export function listModesHint(input: CameraInput): string {
  switch (input.kind) {
    case 'v4l2':
      return `list its modes with \`ffmpeg -f v4l2 -list_formats all -i ${input.device}\``;
    case 'avfoundation':
      return 'ffmpeg prints the supported modes in the error above';
    case 'dshow':
      return `list its modes with \`ffmpeg -f dshow -list_options true -i "video=${input.device.replace(/^video=/, '')}"\``;
    case 'lavfi':
      return 'check the size and rate in the lavfi expression';
  }
}

function exampleDevice(kind: CameraInput['kind']): string {
  switch (kind) {
    case 'v4l2':
      return '/dev/video0';
    case 'avfoundation':
      return '0';
    case 'dshow':
      return 'Integrated Camera';
    case 'lavfi':
      return 'testsrc=size=320x240:rate=30';
  }
}
