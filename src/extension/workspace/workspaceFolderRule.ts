// Whether a folder named in so100.json lies outside the workspace folder: the path rule behind
// untrustedFolderRefusals (core decides what is refused; this knows the file system's paths).
import path from 'node:path';

/** A predicate for `dir` as so100.json gives it (relative to `root`); `~` folders and any folder without a root are outside. */
export function outsideOf(root: string | undefined): (dir: string) => boolean {
  return (dir) => {
    if (root === undefined || dir.startsWith('~')) return true;
    const rel = path.relative(path.resolve(root), path.resolve(root, dir));
    return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  };
}
