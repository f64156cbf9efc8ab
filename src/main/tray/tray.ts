import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { padlockBitmap } from './tray-icon';
import { trayMenu, trayTooltip, type TrayItem, type TrayState } from './tray-menu';

/** The notification-area icon: who is signed in, the policy's state, the rules, "Lock now". */
export class ClasslockTray {
  private readonly tray: Tray;
  private shown = '';

  constructor(private readonly actions: Record<'lockNow' | 'hideScreen', () => void>) {
    const icon = nativeImage.createFromBitmap(padlockBitmap(32), { width: 32, height: 32 });
    this.tray = new Tray(icon);
  }

  /** Called on every View (once a second in a countdown): rebuilds only what changed. */
  update(state: TrayState): void {
    const tooltip = trayTooltip(state);
    const items = trayMenu(state);
    const key = JSON.stringify([tooltip, items]);
    if (key === this.shown) return;
    this.shown = key;
    this.tray.setToolTip(tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(items.map((i) => this.toElectron(i))));
  }

  destroy(): void {
    this.tray.destroy();
  }

  private toElectron(item: TrayItem): MenuItemConstructorOptions {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'text':
        return { label: item.label, enabled: false };
      case 'submenu':
        return {
          label: item.label,
          submenu: item.items.map((l) => ({ label: l, enabled: false })),
        };
      case 'action':
        return {
          label: item.label,
          enabled: item.enabled,
          ...(item.accelerator
            ? { accelerator: item.accelerator, registerAccelerator: false }
            : {}),
          click: () => this.actions[item.action](),
        };
    }
  }
}
