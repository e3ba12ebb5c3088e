// Writes the REST API's OpenAPI 3.1 document to docs/openapi.json, as `GET /api/v1/openapi.json`
// serves it (generated from the routes' schemas). test/protocol/openapi.test.ts fails when the
// committed file differs from what the code generates: run `npm run openapi` after changing a route.
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../src/config/config.js';
import { createKura, createLogger } from '../src/main.js';

/** The document as the API serves it, from a throwaway in-memory server. */
export async function generateOpenApi(): Promise<unknown> {
  const config = loadConfig({}, { KURA_DATA_DIR: '/nonexistent-kura-openapi-dir', KURA_DATABASE: ':memory:', KURA_BLOB_DRIVER: 'memory', KURA_LOG_LEVEL: 'silent' });
  const kura = await createKura(config, { logger: createLogger('silent') });
  try {
    const res = await kura.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.statusCode}`);
    return res.json();
  } finally {
    await kura.close();
  }
}

/** The file's text: two-space JSON and a final newline. */
export const openApiText = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('../docs/openapi.json', import.meta.url);
  writeFileSync(path, openApiText(await generateOpenApi()));
  console.log(`wrote ${path.pathname}`);
}
