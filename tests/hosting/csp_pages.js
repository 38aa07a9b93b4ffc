// Loads pages in Debian's Chromium (puppeteer-core) as a web server serves
// them, under the server's Content-Security-Policy, and reports any CSP
// violation, console error, failed request or error status: the pages must
// work with nothing inline and nothing from elsewhere.
//
//   node csp_pages.js PAGES [PROBE]
//
// PAGES is a file of URLs, one a line. PROBE, when given, is the URL of a
// page with an inline script and style: it must raise violations (so the
// check itself can fail). Prints one line a failing page and ends with
// `csp-pages: N passed, M failed`.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require(path.join(__dirname, '..', 'node', 'node_modules', 'puppeteer-core'));

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function visit(page, url) {
  const problems = [];
  // The browser asks the server's root for /favicon.ico by itself: not the page's doing.
  const own = (url) => !/\/favicon\.ico$/.test(url || '');
  const onConsole = (m) => {
    if (m.type() === 'error' && own(m.location() && m.location().url)) problems.push(`console: ${m.text()}`);
  };
  const onFailed = (r) => problems.push(`request failed: ${r.url()} (${r.failure() && r.failure().errorText})`);
  const onResponse = (r) => { if (r.status() >= 400 && own(r.url())) problems.push(`HTTP ${r.status()}: ${r.url()}`); };
  page.on('console', onConsole);
  page.on('requestfailed', onFailed);
  page.on('response', onResponse);
  try {
    const response = await page.goto(url, { waitUntil: 'load', timeout: 15000 });
    if (!response) problems.push('no response');
    else if (!response.headers()['content-security-policy']) problems.push('no Content-Security-Policy header');
    const violations = await page.evaluate(() => window.__cspViolations || []);
    for (const v of violations) problems.push(`CSP violation: ${v}`);
  } catch (e) {
    problems.push(`load: ${e.message}`);
  } finally {
    page.off('console', onConsole);
    page.off('requestfailed', onFailed);
    page.off('response', onResponse);
  }
  return problems;
}

(async () => {
  const [pagesFile, probe] = process.argv.slice(2);
  const urls = fs.readFileSync(pagesFile, 'utf8').split('\n').filter(Boolean);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'policygen-chromium-'));
  let passed = 0;
  let failed = 0;
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true, userDataDir, args: ARGS,
    });
    const page = await browser.newPage();
    // Violations seen by the page itself (a console line may be dropped).
    await page.evaluateOnNewDocument(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation',
        (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI || 'inline'}`));
    });
    for (const url of urls) {
      const problems = await visit(page, url);
      if (problems.length) {
        failed++;
        console.log(`FAIL ${url}`);
        for (const p of problems) console.log(`    ${p}`);
      } else {
        passed++;
      }
    }
    if (probe) {
      const problems = await visit(page, probe);
      if (problems.some((p) => p.startsWith('CSP violation'))) {
        passed++;
      } else {
        failed++;
        console.log(`FAIL ${probe}: an inline script and style raised no CSP violation`);
      }
    }
  } catch (e) {
    failed++;
    console.log(`FAIL chromium: ${e.message}`);
  } finally {
    if (browser) await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(`csp-pages: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})();
