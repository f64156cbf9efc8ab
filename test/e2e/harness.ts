import { afterAll, beforeAll } from 'vitest';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createIpcHandlers, type SessionPort } from '../../src/main/ipc/handlers';
import { serveStaticFile } from '../../src/preview/static-files';
import { Channels } from '../../src/shared/ipc';
import type { View } from '../../src/shared/view';

/**
 * The browser end of the end-to-end suites: the built renderer served over loopback,
 * Debian's Chromium, and the REAL IPC handlers behind `window.classlock` (Playwright's
 * exposeBinding stands in for Electron's ipcRenderer.invoke). Whatever sits behind the
 * port — the real SessionRuntime or a fixture — reaches the page only through them.
 */

const ROOT = resolve(import.meta.dirname, '../..');
export const RENDERER_DIR = join(ROOT, 'dist/renderer');
export const SCREENSHOT_DIR = join(ROOT, 'docs/screenshots');

/** What the harness needs from a session: the IPC port plus the push of new Views. */
export interface ViewSource extends SessionPort {
  onView(listener: (v: View) => void): () => void;
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** dist/renderer on 127.0.0.1 at a free port; nothing outside that folder is served. */
export async function serveRenderer(dir = RENDERER_DIR): Promise<StaticServer> {
  const index = join(dir, 'index.html');
  await stat(index).catch(() => {
    throw new Error(`${index} is missing: build the renderer first (npx vite build).`);
  });
  const server: Server = createServer((req, res) => serveStaticFile(dir, req, res));
  // Bounded: a test that forgets to close cannot keep the process alive.
  server.unref();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface ScreenPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors, CSP violations and requests leaving the server. */
  problems: string[];
  /** Resolves when every View the source has emitted so far has reached the page. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  display?: 'primary' | 'secondary';
  /** Run before the page's own scripts, e.g. to stand in for speech synthesis. */
  initScript?: string;
  reducedMotion?: 'reduce' | 'no-preference';
  /** Leave window.classlock undefined, as when the preload failed. */
  withoutBridge?: boolean;
}

export async function openScreens(
  browser: Browser,
  server: StaticServer,
  source: ViewSource,
  opts: OpenOptions = {},
): Promise<ScreenPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    reducedMotion: opts.reducedMotion ?? 'reduce',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const origin = new URL(server.url).origin;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith('data:'))
      problems.push(`request left the app: ${url}`);
  });
  await page.exposeBinding('__classlockCsp', (_src, report: string) => {
    problems.push(`CSP violation: ${report}`);
  });
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
    window.__classlockCsp(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
  });`);

  if (!opts.withoutBridge) {
    const handlers = createIpcHandlers(source);
    await page.exposeBinding('__classlockInvoke', (_src, channel: string, payload: unknown) => {
      if (channel === Channels.getView) return handlers[Channels.getView]();
      if (channel === Channels.intent) return handlers[Channels.intent](payload);
      throw new Error(`No handler for IPC channel ${channel}`);
    });
    // The same shape the preload exposes through contextBridge. Plain script text, not a
    // function: a transpiler's helpers (tsx's __name) do not exist inside the page.
    await page.addInitScript(`(() => {
      const invoke = window.__classlockInvoke;
      const listeners = new Set();
      window.__classlockPush = (v) => listeners.forEach((l) => l(v));
      window.classlock = Object.freeze({
        getView: () => invoke(${JSON.stringify(Channels.getView)}),
        send: (i) => invoke(${JSON.stringify(Channels.intent)}, i),
        onView: (l) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
      });
    })();`);
  }
  if (opts.initScript) await page.addInitScript(opts.initScript);

  // Views the session emits reach the page in order, as Electron's webContents.send would.
  let chain: Promise<unknown> = Promise.resolve();
  const off = source.onView((view) => {
    chain = chain
      .then(() =>
        page.evaluate((v) => {
          (window as unknown as { __classlockPush?: (v: unknown) => void }).__classlockPush?.(v);
        }, view),
      )
      .catch(() => undefined);
  });

  const query = opts.display === 'secondary' ? '?display=secondary' : '';
  await page.goto(`${server.url}index.html${query}`);
  return {
    page,
    context,
    problems,
    settled: async () => {
      await chain;
    },
    close: async () => {
      off();
      await context.close();
    },
  };
}

/** The screen the page shows now (data-screen on <main>), or 'none' when nothing is drawn. */
export async function shownScreen(page: Page): Promise<string> {
  return page.evaluate(
    () => document.querySelector('main[data-screen]')?.getAttribute('data-screen') ?? 'none',
  );
}

let axeSource: string | undefined;

/** axe-core's WCAG 2.0 / 2.1 / 2.2 A and AA rules on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= await readFile(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol: a <script> tag would (rightly) be refused by
  // the page's Content-Security-Policy and show up as a violation.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<AxeResult> } }
    ).axe;
    type AxeResult = { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };
    const r = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'],
      },
    });
    return r.violations.map(
      (v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
}

/** docs/screenshots/<name>.png at the page's 1280×800, for the README. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await writeFile(path, await page.screenshot({ animations: 'disabled' }));
  return path;
}

/** Tab `times` times; after each press, true while focus is inside `within`, else where it went. */
export async function tabAround(
  page: Page,
  times: number,
  within: string,
): Promise<(true | string)[]> {
  const inside: (true | string)[] = [];
  for (let i = 0; i < times; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    inside.push(
      await page.evaluate((sel) => {
        const root = document.querySelector(sel);
        const a = document.activeElement;
        if (!!root && !!a && a !== document.body && root.contains(a)) return true;
        // Say where focus went instead, so a failure shows it.
        return a ? `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''}.${a.className}` : 'nothing';
      }, within),
    );
  }
  return inside;
}

/**
 * One renderer server and one Chromium for a test file: opened before its first test,
 * closed after its last. Read `server` and `browser` inside tests, not at load time.
 */
export function rendererAndBrowser(): { readonly server: StaticServer; readonly browser: Browser } {
  const held: { server?: StaticServer; browser?: Browser } = {};
  beforeAll(async () => {
    held.server = await serveRenderer();
    held.browser = await launchChromium();
  });
  afterAll(async () => {
    await held.browser?.close();
    await held.server?.close();
  });
  const opened = <T>(v: T | undefined, what: string): T => {
    if (!v) throw new Error(`the ${what} is not open yet: use it inside a test`);
    return v;
  };
  return {
    get server() {
      return opened(held.server, 'renderer server');
    },
    get browser() {
      return opened(held.browser, 'browser');
    },
  };
}
