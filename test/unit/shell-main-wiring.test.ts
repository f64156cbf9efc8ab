/**
 * The composition root (dist/main/main.cjs, as esbuild bundles it) run in plain Node with
 * a stand-in for the `electron` module, because the Electron binary cannot run here. The
 * stand-in records what the app asks of Electron and drives it like the OS would: the
 * real service client, IPC adapter, windows and security code all run, against a real
 * classlockd in this process on a temp socket.
 */
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../support/policy';
import { asAccount, startTestService, type TestService } from '../support/service';

const STAND_IN = String.raw`
const Module = require('node:module');
const { EventEmitter } = require('node:events');
const { pathToFileURL } = require('node:url');
const out = (o) => process.stdout.write('EVENT ' + JSON.stringify(o) + '\n');
const windows = [];
const handlers = new Map();
const shortcuts = new Map();
class FakeWindow extends EventEmitter {
  constructor(opts) {
    super();
    this.opts = opts; this.visible = false; this.destroyed = false; this.onTop = null;
    this.webContents = Object.assign(new EventEmitter(), {
      sent: [], isDestroyed: () => false, isCrashed: () => false, forcefullyCrashRenderer() {},
      send: (ch, v) => this.webContents.sent.push([ch, v]),
      setWindowOpenHandler: (h) => { this.webContents.openHandler = h; },
      closeDevTools() {},
    });
    windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url) { this.url = url; return Promise.resolve(); }
  loadFile(file, o) { this.url = pathToFileURL(file).href + (o && o.query && o.query.display ? '?display=' + o.query.display : ''); return Promise.resolve(); }
  setAlwaysOnTop(f, level) { this.onTop = f ? level : null; }
  setVisibleOnAllWorkspaces() {} setMenu() {} moveTop() {}
  focus() { if (this.visible) { windows.forEach((w) => { w.focused = false; }); this.focused = true; } }
  isFocused() { return !!this.focused; }
  showInactive() { this.visible = true; } show() { this.visible = true; } hide() { this.visible = false; this.focused = false; }
  isVisible() { return this.visible; } isDestroyed() { return this.destroyed; }
  // As Electron 41 on Linux: full screen on a hidden window shows it.
  isFullScreen() { return !!this.fullscreen; } setFullScreen(f) { if (f && !this.visible) this.visible = true; this.fullscreen = f; }
  setBounds(b) { if (!this.fullscreen) this.bounds = b; } getBounds() { return this.bounds || { x: this.opts.x, y: this.opts.y, width: this.opts.width, height: this.opts.height }; }
  getNativeWindowHandle() { return Buffer.alloc(8); }
  destroy() { this.destroyed = true; }
  close() { const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } }; this.emit('close', e); if (!e.defaultPrevented) this.destroyed = true; }
}
FakeWindow.getFocusedWindow = () => windows.find((w) => w.focused && !w.destroyed) || null;
const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  getAppPath: () => process.cwd(),
  getPath: () => process.env.CLASSLOCK_DATA_DIR,
  exit: (c) => { out({ type: 'exit', code: c }); process.exit(c); },
  quit: () => app.emit('before-quit'),
  commandLine: { hasSwitch: () => false, appendSwitch() {} },
  relaunch: () => out({ type: 'relaunch' }),
  setPath() {}, getAppMetrics: () => [],
});
const ses = { permission: null, check: null, before: null, headers: null,
  setPermissionRequestHandler(h) { this.permission = h; }, setPermissionCheckHandler(h) { this.check = h; },
  setDevicePermissionHandler() {},
  webRequest: { onBeforeRequest: (h) => { ses.before = h; }, onHeadersReceived: (h) => { ses.headers = h; } } };
const screen = Object.assign(new EventEmitter(), {
  getAllDisplays: () => [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 }, { id: 2, bounds: { x: 1920, y: 0, width: 1280, height: 720 }, scaleFactor: 1 }],
  getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
});
const powerMonitor = Object.assign(new EventEmitter(), { getSystemIdleTime: () => 0, getSystemIdleState: () => 'active' });
const electron = {
  app, BrowserWindow: FakeWindow, screen, powerMonitor, session: { defaultSession: ses },
  ipcMain: { handle: (ch, fn) => handlers.set(ch, fn), removeHandler: (ch) => handlers.delete(ch) },
  globalShortcut: { register: (acc, fn) => { shortcuts.set(acc, fn); return true; }, unregisterAll() {} },
  Tray: class { constructor() {} setToolTip(t) { out({ type: 'tooltip', t }); } setContextMenu() {} destroy() {} },
  Menu: { buildFromTemplate: (t) => t },
  nativeImage: { createFromBitmap: () => ({}) },
};
const resolveOrig = Module._resolveFilename;
Module._resolveFilename = function (req, ...rest) { return req === 'electron' ? 'electron' : resolveOrig.call(this, req, ...rest); };
require.cache.electron = { id: 'electron', filename: 'electron', loaded: true, exports: electron };

// The covers (they have the preload); the on-screen control has none.
const covers = () => windows.filter((w) => !w.destroyed && w.opts.webPreferences.preload);
const state = () => covers().map((w) => ({ visible: w.visible, onTop: w.onTop, url: w.url, sandbox: w.opts.webPreferences.sandbox, contextIsolation: w.opts.webPreferences.contextIsolation, nodeIntegration: w.opts.webPreferences.nodeIntegration, show: w.opts.show, paint: w.opts.paintWhenInitiallyHidden, kiosk: !!w.opts.kiosk, fullscreen: !!w.fullscreen }));
const control = () => windows.find((w) => !w.destroyed && !w.opts.webPreferences.preload);
const invoke = (ch, url, payload) => handlers.get(ch)({ senderFrame: { url } }, payload);
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
// Windows are arranged asynchronously (full screen waits for the window manager): poll, bounded.
const until = async (f) => { for (let i = 0; i < 150 && !f(); i++) await wait(20); };

(async () => {
  for (let i = 0; i < 200 && !handlers.size; i++) await wait(20);
  await wait(100);
  await until(() => control() && state().every((w) => w.visible && w.fullscreen));
  const index = covers()[0].url;
  out({ type: 'started', windows: state(), channels: [...handlers.keys()], shortcuts: [...shortcuts.keys()], control: control() && { visible: control().visible, url: control().url } });
  // The cover stays up until the service has answered the client's hello.
  let view = await invoke('classlock:get-view', index);
  for (let i = 0; i < 250 && view.message && view.message.key === 'service.unavailable'; i++) { await wait(20); view = await invoke('classlock:get-view', index); }
  out({ type: 'view', view });
  try { await invoke('classlock:get-view', 'https://evil.example/'); out({ type: 'untrusted', ok: true }); }
  catch (e) { out({ type: 'untrusted', ok: false, message: e.message }); }
  let v = view;
  while (v.screen === 'agreement') v = await invoke('classlock:intent', index, { type: 'acceptAgreement', agreementId: v.agreement.id, version: v.agreement.version });
  await until(() => state().every((w) => !w.visible));
  out({ type: 'accepted', screen: v.screen, windows: state(), focused: covers().some((w) => w.focused), control: control() && { visible: control().visible } });
  shortcuts.values().next().value();
  await until(() => state().every((w) => w.visible && w.fullscreen) && covers()[0].focused);
  out({ type: 'hotkey', windows: state(), focused: covers()[0].focused, pushed: covers()[1].webContents.sent.map(([, x]) => x.screen), control: control() && { visible: control().visible } });
  covers()[0].close();
  out({ type: 'closeWhileLocked', windows: state() });
  let granted = null; ses.permission(null, 'media', (g) => { granted = g; });
  const remote = await new Promise((r) => ses.before({ url: 'https://www.example.org/' }, r));
  const nav = { prevented: false, preventDefault() { this.prevented = true; } };
  covers()[0].webContents.emit('will-navigate', nav, 'https://www.example.org/');
  out({ type: 'security', permission: granted, check: ses.check(), remote, navigationPrevented: nav.prevented, open: covers()[0].webContents.openHandler({ url: 'https://x/' }) });
  screen.getAllDisplays = () => [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }];
  screen.emit('display-removed');
  await wait(50);
  out({ type: 'displayRemoved', windows: state() });
  process.exit(0);
})().catch((e) => { out({ type: 'error', message: String(e && e.stack || e) }); process.exit(2); });
`;

type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let dir: string;
let mainBundle: string;
let events: Ev[] = [];
let stderr = '';
let svc: TestService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'classlock-main-'));
  // Bundled exactly as scripts/build-node.mjs does, into this test's own folder so no other
  // suite ever reads a half-written dist/main/main.cjs.
  mainBundle = join(dir, 'dist', 'main', 'main.cjs');
  await build({
    entryPoints: ['src/main/main.ts'],
    outfile: mainBundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['electron', 'koffi', 'x11', 'usocket'],
    logLevel: 'silent',
  });
  await writeFile(join(dir, 'electron-stand-in.cjs'), STAND_IN);
  svc = await startTestService({
    dir,
    policy: defaultPolicy(),
    resolveIdentity: asAccount({ account: 'y7.pupil', groups: ['Domain Users'] }),
  });
  const child = spawn(process.execPath, ['-r', join(dir, 'electron-stand-in.cjs'), mainBundle], {
    env: {
      ...process.env,
      CLASSLOCK_CONFIG: join(dir, 'no-config.json'),
      CLASSLOCK_DATA_DIR: join(dir, 'data'),
      // No desktop bus here: no tray host can answer, so the on-screen control appears.
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}`,
      XDG_SESSION_TYPE: 'x11',
      CLASSLOCK_SOCKET: svc.socketPath,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await new Promise((r) => child.once('exit', r));
  clearTimeout(timer);
  events = stdout
    .split('\n')
    .filter((l) => l.startsWith('EVENT '))
    .map((l) => JSON.parse(l.slice(6)) as Ev);
});

afterAll(async () => {
  await svc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ev = (type: string): Ev => {
  const e = events.find((x) => x.type === type);
  if (!e)
    throw new Error(`no "${type}" event; got ${events.map((x) => x.type).join(', ')}\n${stderr}`);
  return e;
};

describe('the main process, wired, with Electron stood in', () => {
  it('starts without error and creates one hardened, hidden-then-painted window per display', () => {
    expect(events.find((e) => e.type === 'error')?.message).toBeUndefined();
    const started = ev('started');
    expect(started.channels.sort()).toEqual(['classlock:get-view', 'classlock:intent']);
    expect(started.shortcuts).toEqual(['Alt+Shift+L', 'Alt+Shift+H']);
    expect(started.windows).toHaveLength(2);
    for (const w of started.windows) {
      expect(w).toMatchObject({
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        show: false,
        paint: true,
        onTop: 'screen-saver',
        // Made windowed: kiosk or full screen at creation would show them at once on Linux.
        kiosk: false,
      });
    }
    expect(started.windows[0].url).toMatch(/dist\/renderer\/index\.html$/);
    expect(started.windows[1].url).toMatch(/index\.html\?display=secondary$/);
  });

  it('a new pupil gets the agreement on every display, full screen', () => {
    expect(ev('view').view.screen).toBe('agreement');
    expect(ev('started').windows.every((w: Ev) => w.visible && w.fullscreen)).toBe(true);
  });

  it('with no tray host on the desktop, the on-screen control is there while the desktop is in use', () => {
    expect(ev('started').control?.url).toMatch(/^data:text\/html/);
    expect(ev('accepted').control).toEqual({ visible: true });
    expect(ev('hotkey').control).toEqual({ visible: false });
  });

  it('refuses IPC from anything but its own screen', () => {
    expect(ev('untrusted')).toMatchObject({ ok: false });
    expect(ev('untrusted').message).toMatch(/did not come from Classlock's own screen/);
  });

  it('hides every window once the agreement is accepted', () => {
    const a = ev('accepted');
    expect(a.screen).toBe('none');
    expect(a.windows.every((w: Ev) => !w.visible)).toBe(true);
  });

  it('the lock-now hotkey covers every display and pushes the View to each window', () => {
    const h = ev('hotkey');
    expect(h.windows.every((w: Ev) => w.visible)).toBe(true);
    expect(h.focused).toBe(true);
    expect(h.pushed).toContain('locked');
  });

  it('refuses to close a window while locked', () => {
    expect(ev('closeWhileLocked').windows).toHaveLength(2);
  });

  it('denies permissions, remote requests, navigation and new windows', () => {
    expect(ev('security')).toMatchObject({
      permission: false,
      check: false,
      remote: { cancel: true },
      navigationPrevented: true,
      open: { action: 'deny' },
    });
  });

  it('an unplugged display loses its window while the lock stays up on the other', () => {
    const w = ev('displayRemoved').windows;
    expect(w).toHaveLength(1);
    expect(w[0].visible).toBe(true);
  });
});
