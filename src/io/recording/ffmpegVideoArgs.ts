// The ffmpeg argument array that turns raw rgb24 frames on stdin into one camera's mp4. An array, never a shell
// string, so folder names with spaces or quotes stay intact.

/** Encoders the recorder knows how to drive, best first. */
export const VIDEO_ENCODERS = ['libx264', 'mpeg4'] as const;
export type VideoEncoder = (typeof VIDEO_ENCODERS)[number];

export interface VideoFormat {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/** Frames between keyframes: about one second, so a killed encoder loses at most about a second of video. */
export function keyframeInterval(fps: number): number {
  return Math.max(1, Math.round(fps));
}

/**
 * ffmpeg reading tightly packed RGB frames of one size from stdin at `fps`, quiet except for errors (those lines are
 * what failure advice is made from); no audio.
 */
export function rawRgbPipeInput(width: number, height: number, fps: number): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-video_size',
    `${width}x${height}`,
    '-framerate',
    String(fps),
    '-i',
    'pipe:0',
    '-an',
  ];
}

/**
 * yuv420p subsamples chroma 2×2, so H.264 and MPEG-4 need even sizes: pad one black column/row, never scale, so
 * every recorded pixel keeps its place.
 */
export function evenSizePad(width: number, height: number): string[] {
  return width % 2 !== 0 || height % 2 !== 0 ? ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'] : [];
}

/**
 * What the encoder is tuned for. `realtime`: frames come at the camera's rate and the encoder must leave the control
 * loop its share of the CPU. `throughput`: a virtual-time episode waits for the encoder when its frame pool is full,
 * so the encoder's speed is the campaign's speed.
 */
export type VideoPace = 'realtime' | 'throughput';

/** The full argument list after the ffmpeg binary. */
export function ffmpegVideoArgs(
  format: VideoFormat,
  encoder: VideoEncoder,
  outPath: string,
  pace: VideoPace = 'realtime',
): string[] {
  const args = [
    ...rawRgbPipeInput(format.width, format.height, format.fps),
    ...evenSizePad(format.width, format.height),
  ];
  if (encoder === 'libx264') {
    // veryfast: ~0.16 of a core per 640×480 camera at 30 fps (measured on testsrc, 2-core machine), leaving the
    // loop room; crf 20 is visually clean for reviewing an episode. ultrafast takes about a third of veryfast's CPU
    // for the same crf at ~2.5× the file size: the trade a virtual-time campaign wants (docs/PERFORMANCE.md).
    args.push('-c:v', 'libx264', '-preset', pace === 'throughput' ? 'ultrafast' : 'veryfast', '-crf', '20');
  } else {
    args.push('-c:v', 'mpeg4', '-q:v', '4');
  }
  args.push(
    // yuv420p: the pixel format players and LeRobot's video tools expect (x264 would keep rgb24 input as 4:4:4).
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(keyframeInterval(format.fps)),
    // Fragmented mp4: the moov box comes first (empty) and every keyframe starts a self-contained fragment, so a
    // file cut short by a killed ffmpeg or a crash still plays up to its last complete fragment. A plain mp4 writes
    // its index only at the end and is unreadable without it; .mkv would also survive, but .mp4 is what LeRobot
    // datasets and players expect. flush_packets pushes each fragment to disk as soon as it is muxed.
    '-movflags',
    '+frag_keyframe+empty_moov+default_base_moof',
    '-flush_packets',
    '1',
    '-y',
    outPath,
  );
  return args;
}
