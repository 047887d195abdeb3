// Where a runtime listens: a Unix socket in the temp folder, or a named pipe on Windows.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function runtimeSocketPath(): string {
  const name = `so100-runtime-${process.pid}-${randomBytes(4).toString('hex')}`;
  // Unix socket paths are limited to ~104 bytes; tmpdir() is short on every platform we target.
  return process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : path.join(tmpdir(), `${name}.sock`);
}
