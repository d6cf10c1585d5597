// An authenticator app for the specs: the TOTP codes of one secret, from
// Debian's `oathtool`. The server spends a code's step and every earlier one
// once it accepts a code, and takes the current step and one either side:
// each code is for the step after the last one given out, waiting until the
// clock is within a step of it.
import { execFileSync } from 'node:child_process';

const STEP = 30;
const stepNow = () => Math.floor(Date.now() / 1000 / STEP);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function authenticator(secret) {
  let last = -1;
  return {
    async code() {
      while (last + 1 > stepNow() + 1) await sleep((STEP - (Date.now() / 1000) % STEP) * 1000 + 200);
      last = Math.max(last + 1, stepNow());
      return execFileSync('oathtool', ['--totp', '-b', `--now=@${last * STEP + STEP / 2}`, secret], { encoding: 'utf8' }).trim();
    },
  };
}
