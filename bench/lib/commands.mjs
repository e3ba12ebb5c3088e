// The command line of the benchmarks' bench.mjs scripts: `bench.mjs COMMAND --option value …`.
import { parseArgs } from 'node:util';

/**
 * Runs the command named by the first argument and sets the exit code it resolves to.
 * `commands` maps each name to `{ options, flags, run }`: `options` are the string options it
 * requires, `flags` its optional booleans, and `optional` its optional strings. A missing option,
 * an unknown command and any failure end as one line on stderr and exit code 1; `finish` runs
 * in every case (to close keep-alive agents).
 */
export function runCommands(commands, finish = () => {}) {
  const main = async () => {
    const name = process.argv[2];
    const command = Object.hasOwn(commands, name) ? commands[name] : null;
    if (!command) throw new Error(`usage: bench.mjs ${Object.keys(commands).join('|')} …`);
    const definitions = {};
    for (const option of [...(command.options ?? []), ...(command.optional ?? [])]) definitions[option] = { type: 'string' };
    for (const flag of command.flags ?? []) definitions[flag] = { type: 'boolean' };
    const { values } = parseArgs({ args: process.argv.slice(3), options: definitions });
    for (const option of command.options ?? []) if (values[option] === undefined) throw new Error(`missing --${option}`);
    return command.run(values);
  };
  main().then((code) => { process.exitCode = code; }, (error) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }).finally(finish);
}
