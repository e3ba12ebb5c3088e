// The load generator both benchmarks use: autocannon 9.0.0, installed from bench/npm's lockfile.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../npm/package.json', import.meta.url));

/** autocannon, with response bodies no longer collected. */
export const autocannon = require('autocannon');

// autocannon appends every response body to a string (`req.body += chunk`) for its optional body
// checks, which the benchmarks do not use. For a 10 MB tarball that decoding costs the load
// generator more CPU than the server spends sending it (measured: 68 MB/s with it, 376 MB/s
// without, against the same server), so it is switched off.
require('autocannon/lib/pipelinedRequestsQueue.js').prototype.addBody = () => {};
