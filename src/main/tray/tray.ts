import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { padlockBitmap } from './tray-icon';
import { trayMenu, trayTooltip, type TrayItem, type TrayState } from './tray-menu';

/** The notification-area icon: who is signed in, the policy's state, the rules, "Lock now". */
export class ClasslockTray {
  private readonly tray: Tray;

  constructor(private readonly actions: Record<'lockNow' | 'hideScreen', () => void>) {
    const icon = nativeImage.createFromBitmap(padlockBitmap(32), { width: 32, height: 32 });
    this.tray = new Tray(icon);
  }

  update(state: TrayState): void {
    this.tray.setToolTip(trayTooltip(state));
    this.tray.setContextMenu(
      Menu.buildFromTemplate(trayMenu(state).map((i) => this.toElectron(i))),
    );
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
