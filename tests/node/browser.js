// Starts Debian's chromium for the browser tests: headless, sandboxless (the
// tests run as root in CI), no network use of its own, a fresh profile that
// is removed on close.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  const found = CANDIDATES.find((p) => fs.existsSync(p));
  if (!found) throw new Error('chromium not found: install the Debian package chromium (tools/deps.sh)');
  return found;
}

async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'policygen-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    userDataDir: profile,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--allow-file-access-from-files',
    ],
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try { await close(); } finally { fs.rmSync(profile, { recursive: true, force: true }); }
  };
  return browser;
}

module.exports = { launch };
