#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=100
// A 4 MB semi-space (smaller than V8's default) and an old generation allowed to grow to twice
// what survived the last full collection (rather than V8's up to four times) keep the server's
// memory well under 200 MB under load: under a burst of requests the garbage of finished ones no
// longer piles up to 100 MB before a full collection (measured: peak RSS 192–252 MB without, 155–
// 165 MB with, at the same CPU per request). Downloads reuse their buffers, so large transfers do not
// make V8 collect more often (see bench/README.md). `npx kura` and `npm start` run this file
// through the line above.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
