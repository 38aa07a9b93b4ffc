// The browser suite: the rendered site as readers meet it, in Debian's
// chromium driven by puppeteer-core, with axe-core for accessibility.
//
//   node tests/browser/suite.js SITE_DIR LABEL [--axe] [SEARCH_TERM EXPECTED_HREF]... ...
//
// Each SITE_DIR is a built output folder (OUT/index.html and OUT/<edition>/).
// For one page of every page template of every edition, on a 390 px phone:
// the page does not scroll sideways, no table cell squeezes its text under
// two characters, and (with --axe) axe finds no serious or critical
// violation. The 1280 px desktop does not scroll sideways either. Printing an annex that
// is one sheet (the one with a signatures block and the fewest table rows)
// gives one page, without its guidance, records or back-links. Searching
// SEARCH_TERM from file:// lists EXPECTED_HREF (in each edition that has
// its page). One browser serves it all.
'use strict';
const fs = require('fs');
const path = require('path');
const { launch } = require('../node/browser.js');
const AXE = require.resolve('axe-core/axe.min.js', { paths: [path.join(__dirname, '../node')] });

let passed = 0;
let failed = 0;
function check(ok, what, detail) {
  if (ok) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL ${what}${detail ? `: ${detail}` : ''}`);
  }
}

function files(dir, ext) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => n.endsWith(ext)).sort();
}

function count(file, needle) {
  return fs.readFileSync(file, 'utf8').split(needle).length - 1;
}

// The page of each template to look at: the one most likely to break it
// (the chapter and the annex with the widest table, the register with the
// most columns), found from the files themselves.
function pagesOf(ed) {
  const pages = [];
  const add = (template, rel) => { if (rel && fs.existsSync(path.join(ed, rel))) pages.push({ template, rel }); };
  add('home', 'index.html');
  add('toc', 'plan/index.html');
  add('all', 'plan/all.html');
  const widest = (dir, prefix) => {
    let best = null;
    let bestN = -1;
    for (const n of files(path.join(ed, dir), '.html')) {
      if (n === 'index.html' || n === 'all.html') continue;
      const html = fs.readFileSync(path.join(ed, dir, n), 'utf8');
      const cols = Math.max(0, ...html.split('<thead>').slice(1).map((t) => t.split('</thead>')[0].split('<th').length - 1));
      if (cols > bestN) { bestN = cols; best = `${prefix}${n}`; }
    }
    return best;
  };
  add('chapter', widest('plan', 'plan/'));
  add('annexes', 'annexes/index.html');
  add('annex', widest('annexes', 'annexes/'));
  add('registers', 'registers/index.html');
  add('register', widest('registers', 'registers/'));
  add('versions', 'versions/index.html');
  const changes = files(path.join(ed, 'versions'), '.html').find((n) => n.includes('changes'));
  if (changes) add('changes', `versions/${changes}`);
  add('digest', 'staff/index.html');
  add('status', 'status/index.html');
  add('search', 'search.html');
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
  const evidence = fs.existsSync(path.join(ed, 'evidence'))
    ? walk(path.join(ed, 'evidence')).filter((f) => f.endsWith('.html')).sort()[0] : null;
  if (evidence) add('evidence', path.relative(ed, evidence));
  return pages;
}

// Runs in the page: what a reader on this screen would find wrong.
function layoutProblems() {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    out.push(`the page scrolls sideways (${doc.scrollWidth} px wide for ${window.innerWidth})`);
  for (const cell of document.querySelectorAll('td, th')) {
    const text = cell.textContent.trim();
    if (Array.from(text).length < 2 || cell.offsetParent === null) continue;
    const st = getComputedStyle(cell);
    if (st.display === 'none' || st.visibility === 'hidden') continue;
    const inner = cell.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    const em = parseFloat(st.fontSize);
    // Two characters, or the text itself when it is narrower (two digits).
    const range = document.createRange();
    range.selectNodeContents(cell);
    const natural = Math.min(range.getBoundingClientRect().width, 2 * em);
    if (inner + 0.5 < natural) {
      out.push(`a cell squeezed to ${inner.toFixed(1)} px (${(inner / em).toFixed(2)} em): "${text.slice(0, 20)}"`);
      if (out.length > 5) break;
    }
  }
  return out;
}

// The whole plan on one page repeats the chapters' markup: its frame, its
// contents and its first chapter are checked (every chapter's own page is
// the chapter template's).
const AXE_EXCLUDE = { all: [['article.chapter ~ article.chapter']] };

async function axeProblems(page, template) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async (exclude) => {
    const context = exclude ? { include: [['html']], exclude } : document;
    // eslint-disable-next-line no-undef
    const r = await axe.run(context, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0] && v.nodes[0].target.join(' ') }));
  }, AXE_EXCLUDE[template] || null);
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

function pdfPages(buf) {
  return (buf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
}

// The annex printed on one sheet: a form with a signatures block, and of
// those the one with the fewest table rows.
function oneSheetAnnex(ed) {
  let best = null;
  let bestRows = Infinity;
  for (const n of files(path.join(ed, 'annexes'), '.html')) {
    if (n === 'index.html') continue;
    const html = fs.readFileSync(path.join(ed, 'annexes', n), 'utf8');
    const form = html.split('<article class="annex form"')[1] || '';
    const body = form.split('</article>')[0];
    if (!body.includes('signature-block')) continue;
    const rows = body.split('<tr').length - 1;
    if (rows < bestRows) { bestRows = rows; best = n; }
  }
  return best;
}

// One edition of a site: every template's page, then the print and the search.
async function checkEdition(browser, site, ed) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const dir = path.join(site.dir, ed);
  const pages = ed ? pagesOf(dir) : [{ rel: 'index.html', template: 'editions' }];
  for (const p of pages) {
    const where = `${site.label} ${ed || '.'}/${p.rel} (${p.template})`;
    const t0 = Date.now();
    errors.length = 0;
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`file://${path.join(dir, p.rel)}`, { waitUntil: 'load' });
    const phone = await page.evaluate(layoutProblems);
    check(phone.length === 0, `${where} at 390 px`, phone.join('; '));
    if (site.axe) {
      const axe = await axeProblems(page, p.template);
      check(axe.length === 0, `${where} accessibility`,
        axe.map((v) => `${v.impact} ${v.id} (${v.nodes}× ${v.target})`).join('; '));
    }
    await page.setViewport({ width: 1280, height: 900 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    check(wide, `${where} at 1280 px`, 'the page scrolls sideways');
    check(errors.length === 0, `${where} script errors`, errors.join('; '));
    if (process.env.BROWSER_TIMES) console.log(`${where}: ${Date.now() - t0} ms`);
  }
  if (!ed) {
    await page.close();
    return;
  }
  const annex = oneSheetAnnex(dir);
  check(annex !== null, `${site.label} ${ed}: an annex form with a signatures block to print`);
  if (annex) {
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`file://${path.join(dir, 'annexes', annex)}`, { waitUntil: 'load' });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    const n = pdfPages(Buffer.from(pdf));
    check(n === 1, `${site.label} ${ed}/annexes/${annex} prints on one page`, `${n} pages`);
    await page.emulateMediaType('print');
    const shown = await page.evaluate(() => ['.form-guidance', '.annex-rows', '.backlinks', '.site-nav', '.site-search']
      .filter((s) => [...document.querySelectorAll(s)].some((e) => getComputedStyle(e).display !== 'none')));
    check(shown.length === 0, `${site.label} ${ed}/annexes/${annex} prints the form alone`, `also prints ${shown.join(', ')}`);
    const mark = await page.evaluate(() => {
      const m = document.querySelector('.edition-mark');
      return m && getComputedStyle(m).display !== 'none' ? m.textContent : null;
    });
    check(!!mark, `${site.label} ${ed}/annexes/${annex} prints its edition mark`);
    await page.emulateMediaType(null);
  }
  for (const [term, href] of site.search) {
    // Where the edition does not show the page, it cannot be found there.
    if (!fs.existsSync(path.join(dir, href.split('#')[0]))) continue;
    await page.goto(`file://${path.join(dir, 'search.html')}?q=${encodeURIComponent(term)}`, { waitUntil: 'load' });
    const hrefs = await page.$$eval('#search-results a', (as) => as.map((a) => a.getAttribute('href')));
    check(hrefs.includes(href), `${site.label} ${ed}: searching "${term}" from file:// finds ${href}`,
      `found ${hrefs.slice(0, 5).join(', ') || 'nothing'}`);
    const marked = await page.$$eval('#search-results mark', (ms) => ms.length);
    check(marked > 0, `${site.label} ${ed}: search results highlight "${term}"`);
  }
  await page.close();
}

// Arguments: SITE_DIR LABEL [--axe] [SEARCH_TERM EXPECTED_HREF]... per site.
function parseArgs(args) {
  const sites = [];
  for (let i = 0; i < args.length;) {
    const site = { dir: path.resolve(args[i]), label: args[i + 1], search: [], axe: false };
    i += 2;
    if (args[i] === '--axe') {
      site.axe = true;
      i++;
    }
    while (i + 1 < args.length && !fs.existsSync(path.join(args[i], 'index.html'))) {
      site.search.push([args[i], args[i + 1]]);
      i += 2;
    }
    sites.push(site);
  }
  return sites;
}

async function main() {
  const sites = parseArgs(process.argv.slice(2));
  const browser = await launch();
  const started = Date.now();
  for (const site of sites) {
    const editions = fs.readdirSync(site.dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(site.dir, e.name, 'index.html')))
      .map((e) => e.name).sort();
    // The editions side by side, each in a tab of its own.
    await Promise.all(['', ...editions].map((ed) => checkEdition(browser, site, ed)));
  }
  await browser.close();
  console.log(`browser: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s in the browser)`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(2); });
