// Loads the `serialport` module, and with it its native binding, only when a real port is used: the simulator, the
// policy server and the CLI never need it. A machine the packaged binding does not cover gets one error that names
// the platform, the ones that are covered, and what still works, instead of the loader's raw message.
import { SerialBindingUnavailableError } from './serialPortErrors';

/**
 * The platforms the packaged extension carries serialport's prebuilt binding for (`<platform>-<arch>`, as Node
 * names them). .vscodeignore keeps these prebuilds; test/integration/vsixContents.test.ts checks the VSIX has each.
 */
export const PREBUILT_SERIAL_PLATFORMS = [
  'linux-x64',
  'linux-arm64',
  'linux-arm',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64',
  'win32-arm64',
] as const;

type SerialPortModule = typeof import('serialport');

/**
 * The `serialport` module; rejects with SerialBindingUnavailableError (naming `path`, the port that was to be
 * opened) when it or its native binding cannot be loaded on this machine.
 */
export async function loadSerialPort(path: string): Promise<SerialPortModule> {
  try {
    return await import('serialport');
  } catch (err) {
    throw new SerialBindingUnavailableError(path, platformOf(err), PREBUILT_SERIAL_PLATFORMS, err);
  }
}

/** The platform the binding was looked up for: node-gyp-build's own "platform=… arch=… libc=…" when it says so. */
function platformOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const field = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(text)?.[1];
  const libc = field('libc');
  return `${field('platform') ?? process.platform}-${field('arch') ?? process.arch}${libc === 'musl' ? ' (musl libc)' : ''}`;
}
