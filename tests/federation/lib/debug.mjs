// VANTAGE_FEDERATION_DEBUG=1 prints Fedify's own log (LogTape, category
// "fedify") at debug level on stderr: why a signature was refused (the
// signing string it expected), which key it fetched, what it sent where.
// Without the variable nothing is configured and Fedify stays silent.

import { AsyncLocalStorage } from 'node:async_hooks';
import { configure, getConsoleSink } from '@logtape/logtape';

export const DEBUG = /^(1|true|yes)$/i.test(process.env.VANTAGE_FEDERATION_DEBUG ?? '');

let configured = null;

export function enableFedifyLogging() {
  if (!DEBUG) return Promise.resolve();
  configured ??= configure({
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: { console: getConsoleSink() },
    loggers: [
      { category: 'fedify', sinks: ['console'], lowestLevel: 'debug' },
      { category: ['logtape', 'meta'], sinks: ['console'], lowestLevel: 'warning' },
    ],
  }).catch((err) => {
    // Another module of the same process configured LogTape already.
    console.error(`[federation] LogTape not configured: ${err.message}`);
  });
  return configured;
}

export function debug(...args) {
  if (DEBUG) console.error('[federation]', ...args);
}
