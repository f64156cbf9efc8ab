import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsp, rendererCsp, withCspHeader } from '../../src/main/security/csp';
import { requestVerdict } from '../../src/main/security/request-policy';
import { isBlockedShortcut, type KeyInput } from '../../src/main/security/shortcuts';
import { isTrustedSender } from '../../src/main/security/trusted-sender';

const INDEX_LINUX = 'file:///opt/Classlock/resources/app.asar/dist/renderer/index.html';
const INDEX_WIN =
  'file:///C:/Program%20Files/Classlock/resources/app.asar/dist/renderer/index.html';

describe('only our own lock screen may talk to the session', () => {
  it('accepts the renderer index, with the secondary-display query or a fragment', () => {
    expect(isTrustedSender(INDEX_LINUX, INDEX_LINUX)).toBe(true);
    expect(isTrustedSender(`${INDEX_LINUX}?display=secondary`, INDEX_LINUX)).toBe(true);
    expect(isTrustedSender(`${INDEX_LINUX}#/locked`, INDEX_LINUX)).toBe(true);
  });

  it('accepts the Windows path however its drive letter and spaces are written', () => {
    const sameFile =
      'file:///c:/program files/classlock/resources/app.asar/dist/renderer/index.html';
    expect(isTrustedSender(sameFile, INDEX_WIN)).toBe(true);
  });

  it('refuses another local file, even one next to the index', () => {
    expect(
      isTrustedSender(
        'file:///opt/Classlock/resources/app.asar/dist/renderer/evil.html',
        INDEX_LINUX,
      ),
    ).toBe(false);
    expect(isTrustedSender('file:///tmp/index.html', INDEX_LINUX)).toBe(false);
    expect(
      isTrustedSender(
        'file:///opt/Classlock/resources/app.asar/dist/renderer/../renderer2/index.html',
        INDEX_LINUX,
      ),
    ).toBe(false);
  });

  it('refuses the same path on a network share, over http, or from a closed frame', () => {
    expect(
      isTrustedSender(
        'file://fileserver/opt/Classlock/resources/app.asar/dist/renderer/index.html',
        INDEX_LINUX,
      ),
    ).toBe(false);
    expect(
      isTrustedSender(
        'http://127.0.0.1/opt/Classlock/resources/app.asar/dist/renderer/index.html',
        INDEX_LINUX,
      ),
    ).toBe(false);
    expect(isTrustedSender(undefined, INDEX_LINUX)).toBe(false);
    expect(isTrustedSender('', INDEX_LINUX)).toBe(false);
    expect(isTrustedSender('not a url', INDEX_LINUX)).toBe(false);
  });
});

describe("Electron's own sessions load only Classlock's files", () => {
  const root = 'file:///opt/Classlock/resources/app.asar/dist/renderer';

  it("loads the renderer's scripts, styles and inline images", () => {
    expect(requestVerdict(`${root}/assets/index-abc.js`, root).allow).toBe(true);
    expect(requestVerdict(`${root}/index.html?display=secondary`, root).allow).toBe(true);
    expect(requestVerdict('data:image/png;base64,AAAA', root).allow).toBe(true);
  });

  it('refuses every network address, including the school intranet and loopback', () => {
    for (const url of [
      'https://www.example.org/',
      'http://intranet.school.local/',
      'http://127.0.0.1:8080/',
      'wss://chat.example.org/',
      'ftp://files.example.org/x',
    ]) {
      const v = requestVerdict(url, root);
      expect(v.allow, url).toBe(false);
      if (!v.allow) expect(v.reason).toMatch(/nothing from the network/);
    }
  });

  it('refuses files outside the renderer folder and files on other computers', () => {
    expect(requestVerdict('file:///etc/passwd', root).allow).toBe(false);
    expect(requestVerdict(`${root}/../../../../../etc/shadow`, root).allow).toBe(false);
    expect(
      requestVerdict('file:///opt/Classlock/resources/app.asar/dist/renderer-evil/x.js', root)
        .allow,
    ).toBe(false);
    expect(
      requestVerdict('file://server/opt/Classlock/resources/app.asar/dist/renderer/a.js', root)
        .allow,
    ).toBe(false);
  });
});

describe('Content-Security-Policy', () => {
  it("is the same policy as the renderer's own meta tag", () => {
    const html = readFileSync('src/renderer/index.html', 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)?.[1];
    expect(meta, 'src/renderer/index.html has no CSP meta tag').toBeDefined();
    expect(Object.fromEntries(parseCsp(rendererCsp()))).toEqual(
      Object.fromEntries(parseCsp(meta ?? '')),
    );
  });

  it('allows no inline script, no eval and nothing remote', () => {
    const csp = parseCsp(rendererCsp());
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(rendererCsp()).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('replaces a CSP header a response brought, whatever its case, and keeps the rest', () => {
    const out = withCspHeader({
      'content-security-policy': ['default-src *'],
      'Content-Type': ['text/html'],
    });
    expect(out['content-security-policy']).toBeUndefined();
    expect(out['Content-Security-Policy']).toEqual([rendererCsp()]);
    expect(out['Content-Type']).toEqual(['text/html']);
    expect(withCspHeader(undefined)['Content-Security-Policy']).toEqual([rendererCsp()]);
  });
});

describe('keys the lock window swallows', () => {
  const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
    type: 'keyDown',
    key: k,
    control: false,
    alt: false,
    shift: false,
    meta: false,
    ...mods,
  });

  it('swallows close, reload, developer tools, zoom and history keys', () => {
    expect(isBlockedShortcut(key('F4', { alt: true }))).toBe(true);
    expect(isBlockedShortcut(key('w', { control: true }))).toBe(true);
    expect(isBlockedShortcut(key('W', { control: true, shift: true }))).toBe(true);
    expect(isBlockedShortcut(key('q', { meta: true }))).toBe(true);
    expect(isBlockedShortcut(key('r', { control: true }))).toBe(true);
    expect(isBlockedShortcut(key('F5'))).toBe(true);
    expect(isBlockedShortcut(key('F11'))).toBe(true);
    expect(isBlockedShortcut(key('F12'))).toBe(true);
    expect(isBlockedShortcut(key('I', { control: true, shift: true }))).toBe(true);
    expect(isBlockedShortcut(key('+', { control: true }))).toBe(true);
    expect(isBlockedShortcut(key('ArrowLeft', { alt: true }))).toBe(true);
    expect(isBlockedShortcut(key('p', { control: true }))).toBe(true);
  });

  it('lets typing, editing, Tab, Enter and Escape through to the screens', () => {
    for (const k of ['a', 'Z', '7', 'Tab', 'Enter', 'Escape', ' ', 'Backspace', 'ArrowDown']) {
      expect(isBlockedShortcut(key(k)), k).toBe(false);
    }
    expect(isBlockedShortcut(key('Tab', { shift: true }))).toBe(false);
    for (const k of ['a', 'c', 'v', 'x', 'z']) {
      expect(isBlockedShortcut(key(k, { control: true })), `Ctrl+${k}`).toBe(false);
    }
  });

  it('only judges key presses, not releases', () => {
    expect(isBlockedShortcut({ ...key('F4', { alt: true }), type: 'keyUp' })).toBe(false);
  });
});
