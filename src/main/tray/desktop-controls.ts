import type { GlobalShortcut } from 'electron';
import type { View } from '../../shared/view';
import { ControlWindow } from './control-window';
import { chooseHotkey, hotkeyClashes, registerHotkeys, type HotkeyResult } from './hotkeys';
import { statusNotifierHostPresent } from './status-notifier';
import { ClasslockTray } from './tray';
import type { TrayState } from './tray-menu';
import { trayPlan, type TrayPlan } from './tray-plan';

export interface DesktopControlsOptions {
  globalShortcut: GlobalShortcut;
  /** From the machine config. */
  lockNowHotkey?: string;
  hideScreenHotkey?: string;
  lockNow: () => void;
  hideScreen: () => void;
  log: (m: string) => void;
}

/**
 * Every way a user reaches "lock now" and "hide the screen" outside the lock screens: the
 * global shortcuts, the tray icon, and the on-screen control where no tray icon shows.
 * Whatever does not work is collected as problems for the tray, the log and the service.
 */
export class DesktopControls {
  hotkeys: HotkeyResult[] = [];
  plan: TrayPlan | undefined;
  private tray: ClasslockTray | undefined;
  private control: ControlWindow | undefined;
  private readonly configProblems: string[] = [];

  constructor(private readonly o: DesktopControlsOptions) {}

  async start(): Promise<void> {
    const lock = chooseHotkey('lockNow', this.o.lockNowHotkey);
    const hide = chooseHotkey('hideScreen', this.o.hideScreenHotkey);
    for (const c of [lock, hide]) {
      if (c.problem) this.configProblems.push(c.problem);
      for (const clash of hotkeyClashes(c.accelerator))
        this.o.log(`Shortcut ${c.accelerator}: ${clash}.`);
    }
    this.hotkeys = registerHotkeys(this.o.globalShortcut, [
      { name: 'lockNow', accelerator: lock.accelerator, action: this.o.lockNow },
      // Registered for everyone: the core ignores it for anyone but a pupil.
      { name: 'hideScreen', accelerator: hide.accelerator, action: this.o.hideScreen },
    ]);
    for (const p of [...this.configProblems, ...this.hotkeys.flatMap((h) => h.problem ?? [])]) {
      this.o.log(p);
    }

    let trayFailed = false;
    try {
      this.tray = new ClasslockTray({ lockNow: this.o.lockNow, hideScreen: this.o.hideScreen });
    } catch (err) {
      trayFailed = true;
      this.o.log(`The tray icon could not be created: ${String(err)}`);
    }
    const host = process.platform === 'linux' ? await statusNotifierHostPresent() : undefined;
    this.plan = trayPlan({ platform: process.platform, statusNotifierHost: host, trayFailed });
    if (this.plan.control) {
      this.o.log(`Showing the on-screen control: ${this.plan.reason ?? ''}.`);
      this.control = new ControlWindow(
        { lockNow: this.o.lockNow, hideScreen: this.o.hideScreen },
        this.o.log,
      );
    }
  }

  accelerator(name: 'lockNow' | 'hideScreen'): string | undefined {
    return this.hotkeys.find((h) => h.name === name)?.accelerator;
  }

  /** Problems in words: settings that fell back and shortcuts that did not register. */
  problems(): string[] {
    return [...this.configProblems, ...this.hotkeys.flatMap((h) => h.problem ?? [])];
  }

  update(state: TrayState, view: View): void {
    this.tray?.update(state);
    this.control?.update(view.user.role, view.screen === 'none');
  }

  /** Before quitting: the control window refuses a close unless told. */
  prepareQuit(): void {
    this.control?.allowClose();
  }

  destroy(): void {
    this.control?.destroy();
    this.tray?.destroy();
  }
}
