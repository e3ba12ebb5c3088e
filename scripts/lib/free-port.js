// A free TCP port on the loopback interface, for the helper servers tests and benchmarks start.
import { createServer } from 'node:net';

/** Resolves to a port nothing listens on right now (the caller binds it soon after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
