import type { Bounds } from '../windows/layout';

/**
 * The on-screen control where no tray icon can be seen: a small always-on-top strip with
 * "Lock now" and, for pupils, "Hide the screen and tell a teacher". The page has no script
 * and no preload at all: each button is a link to a fragment of the page itself, which the
 * main process sees as an in-page navigation. Nothing the page could do reaches further
 * than those two actions.
 */
export type ControlAction = 'lockNow' | 'hideScreen';

const FRAGMENT: Record<ControlAction, string> = { lockNow: 'lock-now', hideScreen: 'hide-screen' };

export interface ControlButton {
  action: ControlAction;
  label: string;
}

export function controlButtons(role: 'pupil' | 'staff' | 'visitor'): ControlButton[] {
  const buttons: ControlButton[] = [{ action: 'lockNow', label: 'Lock now' }];
  if (role === 'pupil') {
    buttons.push({ action: 'hideScreen', label: 'Hide the screen and tell a teacher' });
  }
  return buttons;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function controlPageHtml(buttons: readonly ControlButton[]): string {
  const links = buttons
    .map((b) => `<a href="#${FRAGMENT[b.action]}">${escape(b.label)}</a>`)
    .join('');
  return `<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Classlock</title><style>
html,body{margin:0;height:100%;background:#1b2a3a;font:600 15px system-ui,sans-serif}
body{display:flex;gap:6px;padding:6px;box-sizing:border-box}
a{flex:1;display:flex;align-items:center;justify-content:center;text-align:center;color:#fff;
background:#2d5a88;border-radius:6px;text-decoration:none;padding:0 10px}
a:hover{background:#3a70a8}a:focus-visible{outline:3px solid #ffd34d;outline-offset:1px}
</style></head><body>${links}</body></html>`;
}

export function controlPageUrl(buttons: readonly ControlButton[]): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(controlPageHtml(buttons))}`;
}

/** The action an in-page navigation asks for, or undefined for anything else. */
export function controlActionFrom(url: string): ControlAction | undefined {
  const hash = url.slice(url.lastIndexOf('#') + 1);
  if (!url.startsWith('data:text/html') || !url.includes('#')) return undefined;
  return (Object.keys(FRAGMENT) as ControlAction[]).find((a) => FRAGMENT[a] === hash);
}

/** Bottom right of the primary display's work area (above the panel), 8 px in. */
export function controlBounds(workArea: Bounds, buttons: number): Bounds {
  const width = buttons > 1 ? 420 : 140;
  const height = 48;
  return {
    x: workArea.x + workArea.width - width - 8,
    y: workArea.y + workArea.height - height - 8,
    width,
    height,
  };
}
