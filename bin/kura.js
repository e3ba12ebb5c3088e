#!/usr/bin/env -S node --max-semi-space-size=8
// An 8 MB young generation keeps the server's memory low under load without the frequent full
// collections a smaller one causes on large transfers (see bench/README.md); `npx kura` and
// `npm start` run this file through the line above.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
