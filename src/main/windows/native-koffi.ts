import type * as Koffi from 'koffi';

/**
 * koffi, loaded only where a native call is wanted (Windows): it ships per-platform binaries
 * and is kept out of the main bundle (scripts/build-node.mjs marks it external). Returns
 * undefined, never throws, so a missing binary costs a log line, not the lock.
 */
export function loadKoffi(): typeof Koffi | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return typeof require === 'function' ? (require('koffi') as typeof Koffi) : undefined;
  } catch {
    return undefined;
  }
}

/** The HWND in a BrowserWindow's getNativeWindowHandle() buffer. */
export function hwndOf(handle: Buffer): number {
  return handle.length >= 8 ? Number(handle.readBigUInt64LE(0)) : handle.readUInt32LE(0);
}
