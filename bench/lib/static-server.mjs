// The static peer of the RubyGems and NuGet benchmarks: a plain static file server over a directory
// (what a team without a registry serves). Usage: static-server.mjs DIR PORT
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

const [root, port] = process.argv.slice(2);
createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  const file = join(root, path);
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    response.writeHead(200, { 'content-length': info.size, 'content-type': 'application/octet-stream', etag: `"${info.size}-${info.mtimeMs}"` });
    if (request.method === 'HEAD') return response.end();
    createReadStream(file).pipe(response);
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found\n');
  }
}).listen(Number(port), '127.0.0.1');
