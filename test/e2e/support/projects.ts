import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectSuccess, run } from './process.js';

/** A tiny CommonJS library whose `greet()` returns `greeting`. */
export interface LibrarySpec {
  name: string;
  version: string;
  description: string;
  greeting: string;
  /** The package.json `repository` URL; Kura links the package when it ends in `/OWNER/REPO(.git)`. */
  repository?: string;
  /** The package.json `dependencies`. */
  dependencies?: Record<string, string>;
}

/** Writes the library's package.json, index.js and README.md into `dir` (overwriting them). */
export async function writeLibrary(dir: string, spec: LibrarySpec): Promise<void> {
  const manifest = {
    name: spec.name,
    version: spec.version,
    description: spec.description,
    main: 'index.js',
    license: 'MIT',
    ...(spec.repository ? { repository: { type: 'git', url: spec.repository } } : {}),
    ...(spec.dependencies ? { dependencies: spec.dependencies } : {}),
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'index.js'), `exports.greet = () => ${JSON.stringify(spec.greeting)};\n`);
  await writeFile(join(dir, 'README.md'), `# ${spec.name}\n\n${spec.description}\n`);
}

/** Writes a private, dependency-free package.json for a consumer project into `dir`. */
export async function writeConsumer(dir: string): Promise<void> {
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, license: 'MIT' }, null, 2)}\n`);
}

/**
 * Loads the installed package `name` from the consumer project in `dir` with `require()` and
 * resolves to what its `greet()` returns. @throws Error when node cannot load or run it.
 */
export async function greetingOf(dir: string, name: string): Promise<string> {
  const script = 'process.stdout.write(String(require(process.argv[1]).greet()))';
  return expectSuccess(await run(process.execPath, ['-e', script, name], { cwd: dir, env: { PATH: process.env['PATH'] ?? '' } })).stdout;
}

/** The greeting fixture libraries use, so a test can tell which package's code ran. */
export function greetingFor(name: string, version: string): string {
  return `hello from ${name}@${version}`;
}
