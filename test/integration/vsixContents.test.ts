// The universal VSIX carries serialport's prebuilt binding for every platform VS Code ships on, and no native
// compiler: the file list is the one vsce packages (`vsce ls`, the same .vscodeignore rules as `vsce package`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PREBUILT_SERIAL_PLATFORMS } from '../../src/io/serial/serialPortLoader';

const root = join(import.meta.dirname, '../..');
const PREBUILDS = 'node_modules/@serialport/bindings-cpp/prebuilds';

/** The file node-gyp-build loads on each platform (its folder, and a name matching the platform's libc / arch). */
const REQUIRED: Record<string, RegExp> = {
  'linux-x64': /^linux-x64\/@serialport\+bindings-cpp\.glibc\.node$/,
  'linux-arm64': /^linux-arm64\/@serialport\+bindings-cpp\.armv8\.glibc\.node$/,
  'darwin-x64': /^darwin-x64\+arm64\/@serialport\+bindings-cpp\.node$/,
  'darwin-arm64': /^darwin-x64\+arm64\/@serialport\+bindings-cpp\.node$/,
  'win32-x64': /^win32-x64\/@serialport\+bindings-cpp\.node$/,
  'linux-arm': /^linux-arm\/@serialport\+bindings-cpp\.armv7\.glibc\.node$/,
  'win32-arm64': /^win32-arm64\/@serialport\+bindings-cpp\.armv8\.node$/,
};

test('the platforms the unsupported-platform error names as supported are the ones this test requires', () => {
  assert.deepEqual(Object.keys(REQUIRED).sort(), [...PREBUILT_SERIAL_PLATFORMS].sort());
});

function packagedFiles(): string[] {
  const out = execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'ls'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return out
    .split('\n')
    .map((l) => l.trim().replace(/\\/g, '/'))
    .filter(Boolean);
}

test('the packaged file list has the serialport binding for every supported platform, and what loads it', () => {
  const files = packagedFiles();
  const prebuilt = files.filter((f) => f.startsWith(`${PREBUILDS}/`)).map((f) => f.slice(PREBUILDS.length + 1));
  const missing = Object.entries(REQUIRED)
    .filter(([, file]) => !prebuilt.some((f) => file.test(f)))
    .map(([platform]) => platform);
  assert.deepEqual(missing, [], `no prebuilt serialport binding in the VSIX for ${missing.join(', ')}`);
  for (const f of [
    'dist/extension.js',
    'dist/runtime.js',
    'dist/cli.js',
    'node_modules/serialport/package.json',
    'node_modules/@serialport/bindings-cpp/dist/index.js',
    'node_modules/node-gyp-build/index.js',
  ]) {
    assert.ok(files.includes(f), `${f} is not in the VSIX`);
  }
});

test('the VSIX carries no native compiler and no binding for platforms VS Code does not run on', () => {
  const files = packagedFiles();
  assert.deepEqual(
    files.filter((f) => /^node_modules\/(esbuild|@esbuild)\//.test(f)),
    [],
    'converter modules compile with the bundled pure-JS compiler; esbuild must not ship',
  );
  assert.deepEqual(
    files.filter((f) => /\/prebuilds\/(android-|win32-ia32)/.test(f) || /bindings-cpp\/src\//.test(f)),
    [],
  );
});
