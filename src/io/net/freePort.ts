// Asks the OS for a port nobody listens on (bind to 0, read it back, release it).
import { createServer } from 'node:net';

/** A currently free TCP port on `host`. Another process could take it before we use it; the server then fails with "address in use". */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr
          ? resolve(addr.port)
          : reject(new Error(`could not pick a free port on ${host}`)),
      );
    });
  });
}
