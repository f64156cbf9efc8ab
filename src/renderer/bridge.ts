import type { ClasslockApi } from '../shared/ipc';

/**
 * The renderer's only way out: `window.classlock`, put there by the preload in Electron
 * and by the test harness in the browser. Nothing else in the renderer talks to the host.
 */
declare global {
  interface Window {
    classlock?: ClasslockApi;
  }
}

export function findBridge(): ClasslockApi | undefined {
  const api = window.classlock;
  if (!api || typeof api.getView !== 'function' || typeof api.send !== 'function') {
    return undefined;
  }
  return api;
}

export type Display = 'primary' | 'secondary';

/** Extra displays get `?display=secondary`: they cover the screen but hold no controls. */
export function displayFromLocation(search: string): Display {
  return new URLSearchParams(search).get('display') === 'secondary' ? 'secondary' : 'primary';
}
