// Shared by the browser tests (run.mjs) and the browser benchmark (bench/browser-bench.mjs):
// where Debian's Chromium is, the headless flags that work here, and a free localhost port.
import { createServer as createNetServer } from 'node:net';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** WebGPU on (SwiftShader without a GPU), no background network chatter on a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A free localhost TCP port. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createNetServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}
