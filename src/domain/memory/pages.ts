import { validatePage } from './memory-validation';
import type { PageTokenCodec } from './page-token';

/** A listing request: whose, how many, and where the previous page ended. */
export interface PageInput {
  userId: string;
  pageSize: number;
  pageToken: string;
}

/** Rows fetched with limit + 1: the page, and the row to continue after when there is more. */
export function splitPage<T>(rows: T[], limit: number): { page: T[]; next: T | undefined } {
  const page = rows.slice(0, limit);
  return { page, next: rows.length > limit ? page.at(-1) : undefined };
}

/** Validates a listing request and decodes its token into the (time, id) position to continue after. */
export function decodeTimePage(codec: PageTokenCodec, kind: string, input: PageInput) {
  const limit = validatePage(input);
  if (!input.pageToken) return { limit, after: undefined };
  const [at, id] = codec.decode('page_token', input.pageToken, kind, input.userId);
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime())) throw new Error('signed page token with a bad position');
  return { limit, after: { at: date, id } };
}
