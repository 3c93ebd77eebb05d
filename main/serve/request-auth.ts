import type { IncomingMessage } from 'node:http';
import { tokensEqual } from './token.js';

export const TOKEN_COOKIE = 'nmf_token';
export const TOKEN_QUERY = 'token';

/** Where a request presented the session token; `query` is the one that earns a cookie. */
export interface PresentedTokens {
  readonly query: string | null;
  readonly others: readonly string[];
}

function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    values.push(part.slice(eq + 1).trim());
  }
  return values;
}

function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}

export function presentedTokens(req: IncomingMessage, query: URLSearchParams): PresentedTokens {
  const others = cookieValues(req.headers.cookie, TOKEN_COOKIE);
  const bearer = bearerToken(req.headers.authorization);
  if (bearer !== null) others.push(bearer);
  return { query: query.get(TOKEN_QUERY), others };
}

export type AuthOutcome = 'denied' | 'ok' | 'ok-from-query';

/** Any one valid token admits the request; the query form is reported so the page gets its cookie. */
export function authenticate(tokens: PresentedTokens, expected: string): AuthOutcome {
  if (tokens.query !== null && tokensEqual(expected, tokens.query)) return 'ok-from-query';
  return tokens.others.some((t) => tokensEqual(expected, t)) ? 'ok' : 'denied';
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
