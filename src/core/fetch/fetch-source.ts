import { fetchFile } from './file-fetch';
import { fetchHttp } from './http-fetch';
import type { FetchOptions, FetchOutcome } from './fetch-types';

/** Fetch one configured policy source, whichever kind it is. */
export function fetchSource(source: string, opts: FetchOptions): Promise<FetchOutcome> {
  if (/^https?:\/\//i.test(source)) return fetchHttp(source, opts);
  return fetchFile(source, opts);
}
