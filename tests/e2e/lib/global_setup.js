// Starts `vantage serve` once for the whole run (lib/server.js: a free
// loopback port, a fresh data folder, throttles off, loopback peers
// allowed) and hands its URL to the tests in VANTAGE_URL, its data folder in
// VANTAGE_E2E_DATA. A spec that needs other flags starts a server of its own
// (useOwnServer in lib/fixtures.js).
import { startVantage } from './server.js';

export default async function globalSetup() {
  const server = await startVantage();
  process.env.VANTAGE_URL = server.url;
  process.env.VANTAGE_E2E_DATA = server.dataDir;
  return () => server.stop();
}
