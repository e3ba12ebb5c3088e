import fastJsonStringify from 'fast-json-stringify';
import type { FastifyInstance } from 'fastify';

/**
 * Serializes each route's answers by its response schema (fast-json-stringify, as Fastify does),
 * compiling each serializer on its first answer rather than at start-up: the API has about a
 * hundred of them over the same shared shapes, and compiling all of them up front made
 * `kura serve` take seconds to start.
 */
export function serializeResponsesLazily(api: FastifyInstance, shared: readonly object[]): void {
  type Schema = Parameters<typeof fastJsonStringify>[0];
  const external: Record<string, Schema> = Object.fromEntries(shared.map((schema) => [(schema as { $id: string }).$id, schema as Schema]));
  api.setSerializerCompiler(({ schema }) => {
    let stringify: ((data: unknown) => string) | null = null;
    return (data: unknown) => (stringify ??= fastJsonStringify(schema as Schema, { schema: external }))(data);
  });
}
