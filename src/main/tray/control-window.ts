import { BrowserWindow, screen as electronScreen } from 'electron';
import {
  controlActionFrom,
  controlBounds,
  controlButtons,
  controlPageUrl,
  type ControlAction,
} from './control-page';

/** The on-screen control (control-page.ts), shown while the desktop is in use. */
export class ControlWindow {
  private win: BrowserWindow | undefined;
  private url = '';
  private quitting = false;

  constructor(
    private readonly actions: Record<ControlAction, () => void>,
    private readonly log: (m: string) => void,
  ) {}

  /** Shown while nothing covers the desktop; the covers are above it anyway. */
  update(role: 'pupil' | 'staff' | 'visitor', desktopInUse: boolean): void {
    const buttons = controlButtons(role);
    const url = controlPageUrl(buttons);
    const win = this.ensure();
    if (url !== this.url) {
      this.url = url;
      const area = electronScreen.getPrimaryDisplay().workArea;
      win.setBounds(controlBounds(area, buttons.length));
      void win
        .loadURL(url)
        .catch((err: unknown) => this.log(`The on-screen control did not load: ${String(err)}`));
    }
    if (desktopInUse && !win.isVisible()) win.showInactive();
    if (!desktopInUse && win.isVisible()) win.hide();
  }

  /** Classlock is quitting: let the window close with the others. */
  allowClose(): void {
    this.quitting = true;
  }

  destroy(): void {
    if (this.win && !this.win.isDestroyed()) this.win.destroy();
  }

  private ensure(): BrowserWindow {
    if (this.win && !this.win.isDestroyed()) return this.win;
    const win = new BrowserWindow({
      show: false,
      frame: false,
      resizable: false,
      movable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      closable: false,
      skipTaskbar: true,
      alwaysOnTop: true,
      title: 'Classlock',
      backgroundColor: '#1b2a3a',
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        javascript: false,
        devTools: false,
        spellcheck: false,
      },
    });
    win.setAlwaysOnTop(true, 'floating');
    win.setVisibleOnAllWorkspaces(true);
    // Not closable by the user (Alt+F4 on it); closes only with Classlock.
    win.on('close', (e) => {
      if (!this.quitting) e.preventDefault();
    });
    win.webContents.on('did-navigate-in-page', (_e, url) => {
      const action = controlActionFrom(url);
      if (!action) return;
      this.actions[action]();
      // Back to the page without the fragment, so the same button works twice.
      void win.loadURL(this.url).catch(() => undefined);
    });
    this.win = win;
    return win;
  }
}
