import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is loaded from disk by Electron (file://) and by the test harness over
// loopback HTTP, so every asset path is relative.
export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome130',
  },
});
