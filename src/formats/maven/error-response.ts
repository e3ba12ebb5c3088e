import type { FastifyReply } from 'fastify';
import type { KuraError } from '../../core/errors/catalogue.js';

/** The challenge Maven and Gradle answer with Basic credentials (a token as the password). */
export const basicChallenge = 'Basic realm="kura"';

const maxReasonLength = 200;

/**
 * Sends an error the way Maven and Gradle show it. Both print the HTTP reason phrase (wagon:
 * "Return code is: 409, ReasonPhrase: …"), so the message goes there as well as in a plain-text
 * body; a 401 carries the Basic challenge that makes them retry with credentials.
 */
export function sendMavenError(error: KuraError, reply: FastifyReply): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', basicChallenge);
  reply.raw.statusMessage = error.message.replace(/[^\x20-\x7e]/g, ' ').slice(0, maxReasonLength);
  return reply.status(error.status).type('text/plain; charset=utf-8').send(`${error.message}\n`);
}
