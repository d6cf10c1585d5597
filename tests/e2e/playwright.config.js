// Browser journeys through the web app (docs/web.md): Debian's Chromium,
// never a downloaded browser, against the real binary on a free loopback
// port with a fresh data folder (lib/global_setup.js starts it).
import { defineConfig } from '@playwright/test';

const chromium = {
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
};

export default defineConfig({
  testDir: './specs',
  globalSetup: './lib/global_setup.js',
  fullyParallel: false,
  workers: 1,  // the machine has two cores; the server takes the other
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  forbidOnly: Boolean(process.env.CI),
  use: {
    browserName: 'chromium',
    launchOptions: chromium,
    trace: 'off',
    screenshot: 'off',
    actionTimeout: 10_000,
  },
  projects: [
    // Phones first: every journey runs at 390x844 with touch.
    { name: 'mobile', use: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 } },
    // Desktop: the tests tagged @desktop (layout, screenshots, accessibility).
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } }, grep: /@desktop/ },
  ],
});
