// Whether an ffmpeg runs from PATH: tests of mp4 records skip, saying so, where it does not (CI installs it).
import { execFileSync } from 'node:child_process';

export const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
