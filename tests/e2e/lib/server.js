// Starts `vantage serve` on 127.0.0.1:0 with a fresh data folder and the
// flags every e2e server has: throttles off (the tests register and sign in
// many accounts from one address) and --federation-allow-private (the
// stand-in remote servers of the specs listen on loopback). `extra` adds
// flags. Resolves to {url, dataDir, stop()}; stop() ends the server and
// removes its data folder.
// The web app is the copy built into the binary; VANTAGE_WEB_DIR=/path/to/web
// (read by `vantage serve` itself, like --web-dir) serves it from the folder
// instead, to try changes to web/ without a rebuild.
// `listen` (options) replaces 127.0.0.1:0, for a server that must know its
// port before it starts (its --public-url names it).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = process.env.VANTAGE_BIN || path.join(root, 'build', 'vantage');

// A loopback port free right now (the system's pick), for `listen`.
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export async function startVantage(extra = [], { listen = '127.0.0.1:0' } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vantage-e2e-'));
  const child = spawn(bin, ['serve', '--listen', listen, '--data', dataDir, '--access-log', 'off',
    '--registration-limit-ip', '0', '--sign-in-limit-ip', '0', '--sign-in-limit-account', '0', '--federation-allow-private',
    ...extra],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  child.on('exit', () => { exited = true; });
  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${bin} did not start:\n${output}`)), 15_000);
      const read = (chunk) => {
        output += chunk;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.on('error', (e) => reject(new Error(`cannot start ${bin}: ${e.message}`)));
      child.on('exit', (code) => reject(new Error(`${bin} exited (${code}) before listening:\n${output}`)));
    });
  } catch (e) {
    if (!exited) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  // Keep reading, so a chatty server never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  return {
    url,
    dataDir,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 10_000);
          child.on('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
