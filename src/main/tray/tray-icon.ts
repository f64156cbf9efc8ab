/**
 * A padlock drawn as raw BGRA pixels (what Electron's nativeImage.createFromBitmap takes),
 * so the tray needs no image file that could go missing from a package.
 */
export function padlockBitmap(size = 32): Buffer {
  const buf = Buffer.alloc(size * size * 4);
  const s = size / 32;
  const set = (x: number, y: number) => {
    const i = (y * size + x) * 4;
    buf[i] = 0x3a; // B
    buf[i + 1] = 0x2a; // G
    buf[i + 2] = 0x1b; // R
    buf[i + 3] = 0xff; // A
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / s;
      const v = y / s;
      const body = u >= 6 && u < 26 && v >= 14 && v < 30;
      const keyhole = u >= 14.5 && u < 17.5 && v >= 19 && v < 25;
      const dx = u - 16;
      const dy = v - 14;
      const r = Math.sqrt(dx * dx + dy * dy);
      const shackle = v < 14 && r >= 6 && r < 9;
      const legs = v >= 11 && v < 14 && ((u >= 7 && u < 10) || (u >= 22 && u < 25));
      if ((body && !keyhole) || shackle || legs) set(x, y);
    }
  }
  return buf;
}
