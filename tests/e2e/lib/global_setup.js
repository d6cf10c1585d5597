// Starts `vantage serve` once for the whole run on 127.0.0.1:0 with a fresh
// data folder, and hands its URL to the tests in VANTAGE_URL. Throttles are
// off: the tests register and sign in many accounts from one address.
// The web app is the copy built into the binary; VANTAGE_WEB_DIR=/path/to/web
// (read by `vantage serve` itself, like --web-dir) serves it from the folder
// instead, to try changes to web/ without a rebuild.
// --federation-allow-private lets it fetch the stand-in remote actors of
// lib/remote_actor.js, which listen on loopback.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = process.env.VANTAGE_BIN || path.join(root, 'build', 'vantage');

export default async function globalSetup() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vantage-e2e-'));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--access-log', 'off',
    '--registration-limit-ip', '0', '--sign-in-limit-ip', '0', '--sign-in-limit-account', '0', '--federation-allow-private'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
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
  process.env.VANTAGE_URL = url;
  process.env.VANTAGE_E2E_DATA = dataDir;
  return async () => {
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
    rmSync(dataDir, { recursive: true, force: true });
  };
}
