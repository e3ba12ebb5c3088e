import type { FastifyReply } from 'fastify';
import type { KuraError } from '../../core/errors/catalogue.js';

/** The challenge Maven, Gradle, gem, Bundler and NuGet answer with Basic credentials (a token as the password). */
const basicChallenge = 'Basic realm="kura"';

const maxReasonLength = 200;

/**
 * Sends an error as a plain-text body that also rides in the HTTP reason phrase: Maven and Gradle
 * print the reason phrase (wagon: "Return code is: 409, ReasonPhrase: …"), NuGet prints it,
 * gem and Bundler print the body. A 401 carries the Basic challenge after which all of them
 * retry with the credentials they hold.
 */
export function sendPlainTextError(error: KuraError, reply: FastifyReply): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', basicChallenge);
  reply.raw.statusMessage = error.message.replace(/[^\x20-\x7e]/g, ' ').slice(0, maxReasonLength);
  return reply.status(error.status).type('text/plain; charset=utf-8').send(`${error.message}\n`);
}
