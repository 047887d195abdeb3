// A ByteTransport that is `inner` in every way except its write, which goes through the test's own function (to log
// what the driver sends, or to lose a packet the way a flaky cable does).
import type { ByteTransport } from '../../src/io/serial/byteTransport';

export function withWrite(inner: ByteTransport, write: (bytes: Uint8Array) => Promise<void>): ByteTransport {
  return {
    write,
    onData: (l) => inner.onData(l),
    onClose: (l) => inner.onClose(l),
    close: () => inner.close(),
    get description() {
      return inner.description;
    },
    get isOpen() {
      return inner.isOpen;
    },
    [Symbol.asyncDispose]: () => inner.close(),
  };
}
