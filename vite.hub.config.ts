import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The hub's dashboard: served by the hub itself (same origin as its API), so paths are absolute.
export default defineConfig({
  root: 'src/hub/dashboard',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../../../dist/hub-dashboard',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome120',
  },
});
