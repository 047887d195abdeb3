// Known ffmpeg capture errors, each turned into one sentence a user can act on.
import { listDevicesHint, listModesHint, type CameraInput } from './ffmpegInput';

interface CameraAdviceRule {
  readonly id: string;
  readonly match: RegExp;
  readonly advice: (input: CameraInput) => string;
}

/** First rule that matches a line wins, so specific rules come first. */
export const FFMPEG_CAMERA_ADVICE: readonly CameraAdviceRule[] = [
  {
    id: 'device-busy',
    match: /Device or resource busy|EBUSY|already in use|Could not lock/i,
    advice: (input) =>
      `Another program holds ${input.device}: close other camera users (another ffmpeg or runtime, OBS, a video call, a browser tab) and retry.`,
  },
  {
    id: 'permission',
    match: /Permission denied|EACCES|Operation not permitted|not authorized|TCC/i,
    advice: (input) =>
      process.platform === 'darwin'
        ? 'macOS refused camera access: allow it for VS Code (or your terminal) in System Settings › Privacy & Security › Camera.'
        : `No permission to open ${input.device}: add your user to the 'video' group (\`sudo usermod -aG video $USER\`, then log in again).`,
  },
  {
    id: 'usb-bandwidth',
    match: /No space left on device|Cannot allocate memory|ENOSPC/i,
    advice: () =>
      'The USB bus has no bandwidth left (often two cameras at high resolution on one controller): lower width, height or fps, use MJPEG-capable modes, or plug the cameras into separate USB ports.',
  },
  {
    id: 'no-such-device',
    match:
      /No such file or directory|No such device|Could not find video device|Video device not found|Cannot find a video device|Could not enumerate|Could not open video device|I\/O error/i,
    advice: (input) =>
      `No camera answers at '${input.device}': check it is plugged in and the device name is right; ${listDevicesHint(input.kind)}.`,
  },
  {
    id: 'unsupported-mode',
    match:
      /Invalid argument|not supported|unsupported|Could not set video options|Selected (?:framerate|video size)|does not support|Invalid (?:frame rate|video size|pixel format)/i,
    advice: (input) =>
      `The camera rejected the configured size or fps: pick a mode it supports; ${listModesHint(input)}.`,
  },
  {
    id: 'input-format-missing',
    match: /Unknown input format/i,
    advice: (input) =>
      `This ffmpeg build has no '${input.kind}' input: install a full ffmpeg build (e.g. your OS package) or use the input kind of this platform.`,
  },
];

/** Advice for the given stderr lines (newest cause last, duplicates removed); empty when none is known. */
export function adviseFfmpegCamera(lines: readonly string[], input: CameraInput): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const rule = FFMPEG_CAMERA_ADVICE.find((r) => r.match.test(line));
    if (!rule) continue;
    const text = rule.advice(input);
    if (!out.includes(text)) out.push(text);
  }
  return out;
}
