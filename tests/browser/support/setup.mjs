// What every browser test needs, checked when it is imported so that a
// missing piece is the one error shown: playwright-core, Debian's chromium,
// the hub and agent binaries; and where the web root and the screenshots are.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireExecutable } from './processes.mjs';

const browserDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const webRoot = path.resolve(browserDir, '../../web');
export const artifacts = path.join(browserDir, 'artifacts');
export const chromiumBin = process.env.TELEHUB_CHROMIUM || '/usr/bin/chromium';

export const { chromium } = await import('playwright-core').catch(() => {
  throw new Error(`playwright-core is not installed: run \`npm ci\` in ${browserDir}`);
});
export const hubBin = requireExecutable('TELEHUB_HUB_BIN');
export const agentBin = requireExecutable('TELEHUB_AGENT_BIN');
if (!fs.existsSync(chromiumBin)) throw new Error(`no browser at ${chromiumBin}: install Debian's chromium or set TELEHUB_CHROMIUM`);
