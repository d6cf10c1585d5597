// Makes every browser session of `user` older than the 15 minutes a recent
// sign-in lasts, in the SQLite database of the server the spec runs against
// (VANTAGE_E2E_DATA): issued 20 minutes earlier, never confirmed since.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect } from '@playwright/test';

export function ageSessions(user) {
  const db = path.join(process.env.VANTAGE_E2E_DATA, 'vantage.db');
  expect(user.id).toMatch(/^\d+$/);  // ids pass 2^53: kept as the API's string
  const changed = execFileSync('sqlite3', ['-cmd', '.timeout 5000', db,
    `UPDATE tokens SET created_at = created_at - 1200000, reauthenticated_at = 0 WHERE account_id = ${user.id} AND kind = 'session'; SELECT changes();`],
  { encoding: 'utf8' });
  expect(Number(changed.trim())).toBeGreaterThan(0);
}
