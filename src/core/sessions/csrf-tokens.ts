import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerSecrets } from '../settings/server-secrets.js';

/**
 * Tokens that tie a form to the visitor it was shown to. A token is an HMAC, under a server
 * secret shared by every node, of what identifies the visitor: the signed-in session, or before
 * sign-in a random cookie of the browser's own. Another site can neither read nor forge one.
 */
export class CsrfTokens {
  constructor(private readonly secrets: ServerSecrets) {}

  /** The token forms carry for `binding` (a session's or visitor's identifier). */
  async issue(binding: string): Promise<string> {
    const key = await this.secrets.secret('csrf');
    return createHmac('sha256', key).update(binding).digest('base64url');
  }

  /** Whether `presented` is the token for `binding`, compared in constant time. */
  async verify(binding: string, presented: unknown): Promise<boolean> {
    if (typeof presented !== 'string' || presented === '' || binding === '') return false;
    const expected = Buffer.from(await this.issue(binding));
    const actual = Buffer.from(presented);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
