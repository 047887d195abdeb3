// Known failures of the ffmpeg that writes a camera's mp4, each turned into one sentence a user can act on.
// The camera's capture advice (io/camera/ffmpegCameraAdvice.ts) does not fit here: there "No space left on
// device" means USB bandwidth and "Permission denied" the video group; for an encoder they mean the disk.

interface EncoderAdviceRule {
  readonly match: RegExp;
  readonly advice: string;
}

const RULES: readonly EncoderAdviceRule[] = [
  {
    match: /No space left on device|ENOSPC|Disk quota exceeded/i,
    advice: 'The disk holding the episode record is full: free some space.',
  },
  {
    match: /Permission denied|Read-only file system|EACCES|EROFS/i,
    advice: 'ffmpeg may not write into the episode folder: make it writable.',
  },
  {
    match: /Cannot allocate memory|Out of memory|ENOMEM/i,
    advice: 'The machine ran out of memory: close other programs or lower the camera resolution or fps.',
  },
  {
    match: /Unknown encoder|Encoder not found|Error while opening encoder|Error initializing output stream/i,
    advice:
      "This ffmpeg cannot encode the video: install a full build (e.g. `sudo apt-get install ffmpeg`) or record with frames mode 'png'.",
  },
];

const KILLED = 'Something outside the runtime ended it (out of memory, or a manual kill).';

/** Advice for ffmpeg's last stderr lines and how it ended (duplicates removed); empty when nothing is known. */
export function adviseVideoEncoder(lines: readonly string[], signal: NodeJS.Signals | null): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const rule = RULES.find((r) => r.match.test(line));
    if (rule && !out.includes(rule.advice)) out.push(rule.advice);
  }
  if (out.length === 0 && signal !== null) out.push(KILLED);
  return out;
}
