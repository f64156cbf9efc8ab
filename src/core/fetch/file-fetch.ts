import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FetchError, type FetchOptions, type FetchOutcome } from './fetch-types';

/** file:// URL, UNC path or absolute path → a path the OS opens. */
export function sourceToPath(source: string): string {
  if (/^file:/i.test(source)) return fileURLToPath(source);
  return source;
}

/**
 * Read a policy from a file or a mounted share, bounded in size and time (an unreachable
 * SMB share can otherwise hang a read for minutes). Size and modification time stand in
 * for an ETag, so an unchanged file is not read again.
 */
export async function fetchFile(source: string, opts: FetchOptions): Promise<FetchOutcome> {
  const path = sourceToPath(source);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new FetchError(
            'timeout',
            `reading ${path} took longer than ${Math.round(opts.totalTimeoutMs / 1000)} s (is the share reachable?)`,
          ),
        ),
      opts.totalTimeoutMs,
    );
  });
  try {
    return await Promise.race([readBounded(path, opts), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readBounded(path: string, opts: FetchOptions): Promise<FetchOutcome> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FetchError('not-found', `there is no policy file at ${path}`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new FetchError('read', `${path} cannot be read (permission denied)`);
    throw new FetchError('read', `${path} cannot be opened (${(err as Error).message})`);
  }
  try {
    const st = await fh.stat();
    const etag = `"${st.size}-${Math.trunc(st.mtimeMs)}"`;
    if (opts.validators?.etag === etag) return { kind: 'not-modified' };
    if (st.size > opts.maxBytes) {
      throw new FetchError(
        'too-large',
        `the policy file is ${st.size} bytes, over the limit of ${opts.maxBytes}`,
      );
    }
    // Read one byte past the limit: a file growing while we read is caught too.
    const buf = Buffer.alloc(Math.min(st.size, opts.maxBytes) + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n === buf.length) break;
    }
    if (n > opts.maxBytes) {
      throw new FetchError(
        'too-large',
        `the policy file is over the limit of ${opts.maxBytes} bytes`,
      );
    }
    return { kind: 'body', bytes: new Uint8Array(buf.subarray(0, n)), validators: { etag } };
  } finally {
    await fh.close();
  }
}
