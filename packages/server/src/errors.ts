import { GraphQLError } from 'graphql';

/** An error the client caused by an argument; the message names the value and says what would be right. */
export function badInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argument } : {}) } });
}

export const MAX_PAGE_SIZE = 100;

/** Checks a Relay `first` argument. */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw badInput(`"first" must be between 1 and ${MAX_PAGE_SIZE}, got ${n}`, 'first');
  }
  return n;
}

export function encodeCursor(value: string): string {
  return Buffer.from(`c:${value}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('c:')) throw badInput(`"after" is not a cursor this API returned: "${cursor}"`, 'after');
  return text.slice(2);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);
