// RSA-2048 key pairs for the inbound benchmark's remote actors, kept in a
// file (one JSON {publicKeyPem, privateKeyPem} a line) and reused: making
// 2,000 of them takes minutes on this machine (~0.1-0.3 s each), so only the
// missing ones are made.
//
//   node bench/federation/keys.mjs COUNT FILE
import crypto from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const [countArg, file] = process.argv.slice(2);
const count = Number(countArg);
if (!(count > 0) || !file) throw new Error('usage: keys.mjs COUNT FILE');

const have = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
if (have >= count) process.exit(0);
const generate = promisify(crypto.generateKeyPair);
const started = performance.now();
console.error(`bench: making ${count - have} RSA-2048 keys into ${file} (kept for later runs)`);
let made = have;
async function worker() {
  while (made < count) {
    made++;
    const { publicKey, privateKey } = await generate('rsa', { modulusLength: 2048 });
    appendFileSync(file, `${JSON.stringify({
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    })}\n`);
  }
}
await Promise.all([worker(), worker(), worker(), worker()]);
console.error(`bench: keys made in ${((performance.now() - started) / 1000).toFixed(1)} s`);
