import { raiseAgainRoute, type ForegroundRoute } from './focus-guard';
import { hwndOf, loadKoffi } from './native-koffi';

const HWND_TOPMOST = -1;
const SWP_NOSIZE = 0x0001;
const SWP_NOMOVE = 0x0002;
const SWP_SHOWWINDOW = 0x0040;
const KEYEVENTF_KEYUP = 0x0002;
/** An unassigned virtual key (0x88–0x8F are reserved): input no program acts on. */
const VK_UNASSIGNED = 0x88;

/**
 * Taking the foreground on Windows under the foreground lock. SetForegroundWindow (what
 * BrowserWindow.focus() calls) is refused for ForegroundLockTimeout (200 s) after another
 * program's input unless the caller sent the last input or shares the foreground thread's
 * input queue. So: attach to the foreground window's thread, inject one key no program
 * acts on (which makes us the sender of the last input), then SetForegroundWindow,
 * BringWindowToTop and topmost SetWindowPos, and detach. Decided against asking the
 * machine service: a service runs in session 0 and cannot give a desktop window focus.
 *
 * Not run here (no Windows): the self-test checks on the real PC that focus arrives.
 */
export function win32ForegroundRoute(log: (m: string) => void): ForegroundRoute | undefined {
  const koffi = loadKoffi();
  if (!koffi) {
    log('The native focus helper (koffi) could not be loaded; focus uses the plain request only.');
    return undefined;
  }
  try {
    const user32 = koffi.load('user32.dll');
    const kernel32 = koffi.load('kernel32.dll');
    const GetForegroundWindow = user32.func('intptr_t __stdcall GetForegroundWindow()');
    const GetWindowThreadProcessId = user32.func(
      'uint32_t __stdcall GetWindowThreadProcessId(intptr_t hwnd, void *pid)',
    );
    const GetCurrentThreadId = kernel32.func('uint32_t __stdcall GetCurrentThreadId()');
    const AttachThreadInput = user32.func(
      'int __stdcall AttachThreadInput(uint32_t from, uint32_t to, int attach)',
    );
    const SetForegroundWindow = user32.func('int __stdcall SetForegroundWindow(intptr_t hwnd)');
    const BringWindowToTop = user32.func('int __stdcall BringWindowToTop(intptr_t hwnd)');
    const SetWindowPos = user32.func(
      'int __stdcall SetWindowPos(intptr_t hwnd, intptr_t after, int x, int y, int cx, int cy, uint32_t flags)',
    );
    const keybd_event = user32.func(
      'void __stdcall keybd_event(uint8_t vk, uint8_t scan, uint32_t flags, uintptr_t extra)',
    );
    return (win) => {
      const target = win as unknown as { getNativeWindowHandle?: () => Buffer };
      if (!target.getNativeWindowHandle) return false;
      const hwnd = hwndOf(target.getNativeWindowHandle());
      const fg = Number(GetForegroundWindow());
      const me = Number(GetCurrentThreadId());
      const them = fg ? Number(GetWindowThreadProcessId(fg, null)) : 0;
      const attached = them !== 0 && them !== me && AttachThreadInput(me, them, 1) !== 0;
      try {
        keybd_event(VK_UNASSIGNED, 0, 0, 0);
        keybd_event(VK_UNASSIGNED, 0, KEYEVENTF_KEYUP, 0);
        SetWindowPos(hwnd, HWND_TOPMOST, 0, 0, 0, 0, SWP_NOMOVE | SWP_NOSIZE | SWP_SHOWWINDOW);
        BringWindowToTop(hwnd);
        return SetForegroundWindow(hwnd) !== 0;
      } finally {
        if (attached) AttachThreadInput(me, them, 0);
      }
    };
  } catch (err) {
    log(`The native focus helper could not start: ${String(err)}`);
    return undefined;
  }
}

/** The strongest route this OS offers: the native call on Windows, a raise elsewhere. */
export function platformForegroundRoute(log: (m: string) => void): ForegroundRoute {
  return process.platform === 'win32'
    ? (win32ForegroundRoute(log) ?? raiseAgainRoute)
    : raiseAgainRoute;
}
