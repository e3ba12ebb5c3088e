#!/usr/bin/env -S node --max-semi-space-size=4
// A 4 MB semi-space (smaller than V8's default) keeps the server's memory well under 200 MB under
// load; downloads reuse their buffers, so large transfers do not make V8 collect more often
// (see bench/README.md). `npx kura` and `npm start` run this file through the line above.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
