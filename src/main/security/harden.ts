import type { App, Session, WebContents } from 'electron';
import { withCspHeader } from './csp';
import { requestVerdict } from './request-policy';
import { isBlockedShortcut } from './shortcuts';

export interface HardenOptions {
  /** file:// URL of the folder Classlock's own files are in (the renderer's root). */
  appRootUrl: string;
  /** Packaged builds: no developer tools at all. */
  allowDevTools: boolean;
  log: (message: string) => void;
}

/**
 * Session-wide rules from the Electron security checklist: every permission refused,
 * nothing remote loaded, no navigation, no new windows, no <webview>, a CSP on every
 * response. Applied to the default session and to every web contents ever created.
 */
export function hardenSession(ses: Session, opts: HardenOptions): void {
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    opts.log(`Refused a request for the "${permission}" permission.`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const verdict = requestVerdict(details.url, opts.appRootUrl);
    if (!verdict.allow) opts.log(`Blocked ${details.url}: ${verdict.reason}.`);
    callback({ cancel: !verdict.allow });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCspHeader(details.responseHeaders) });
  });
}

export function hardenWebContents(contents: WebContents, opts: HardenOptions): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    opts.log(`Refused to navigate to ${url}.`);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    // Sub-frames have no business here at all; the main frame is loaded by loadFile only.
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    opts.log(`Refused to open a new window for ${url}.`);
    return { action: 'deny' };
  });
  contents.on('before-input-event', (event, input) => {
    if (isBlockedShortcut(input)) event.preventDefault();
  });
  if (!opts.allowDevTools) {
    contents.on('devtools-opened', () => contents.closeDevTools());
  }
}

export function hardenApp(app: App, defaultSession: Session, opts: HardenOptions): void {
  hardenSession(defaultSession, opts);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, opts));
}
