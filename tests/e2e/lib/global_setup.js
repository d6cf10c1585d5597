// Starts `vantage serve` once for the whole run (lib/server.js: a free
// loopback port, a fresh data folder, throttles off, loopback peers
// allowed) and hands its URL to the tests in VANTAGE_URL, its data folder in
// VANTAGE_E2E_DATA. A spec that needs other flags starts a server of its own
// (useOwnServer in lib/fixtures.js). The server's e-mail goes to a capturing
// SMTP server started first (lib/mail.js): the messages' folder is in
// VANTAGE_E2E_MAIL, its smtp:// URL in VANTAGE_E2E_SMTP_URL.
import { startVantage } from './server.js';
import { startMailCapture } from './mail.js';

export default async function globalSetup() {
  const mail = await startMailCapture();
  let server;
  try {
    server = await startVantage(['--smtp-url', mail.url]);
  } catch (e) {
    await mail.stop();
    throw e;
  }
  process.env.VANTAGE_URL = server.url;
  process.env.VANTAGE_E2E_DATA = server.dataDir;
  process.env.VANTAGE_E2E_MAIL = mail.dir;
  process.env.VANTAGE_E2E_SMTP_URL = mail.url;
  return async () => {
    await server.stop();
    await mail.stop();
  };
}
