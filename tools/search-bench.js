// make bench: the offline search on a built edition (tools/bench.sh).
//
//   node tools/search-bench.js EDITION_DIR RUNS
//
// Loads EDITION_DIR/search/index.js as a browser would (a script that sets
// window.POLICYGEN_SEARCH) and the theme's query code from the edition's
// assets/search.js, then times typical queries: one line "load MS" (reading
// and parsing the index) and one "query MS RESULTS TEXT" per query, each
// the median of RUNS runs.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const [dir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg) || 5;
const ctx = { window: {} };
ctx.globalThis = ctx;
vm.createContext(ctx);
const loadTimes = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  vm.runInContext(fs.readFileSync(path.join(dir, 'search/index.js'), 'utf8'), ctx);
  loadTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
vm.runInContext(fs.readFileSync(path.join(dir, 'assets/search.js'), 'utf8'), ctx);
const index = ctx.window.POLICYGEN_SEARCH;
const search = ctx.window.policygenSearch;
const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`load ${median(loadTimes).toFixed(1)} ${index.docs.length}`);
for (const q of ['資通安全', '防火牆政策', '資產 盤點 備份', '機房門禁紀錄', '表']) {
  const times = [];
  let n = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = search.query(index, q);
    if (r.length) search.snippet(index.docs[r[0].doc][3], q, 40);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    n = r.length;
  }
  console.log(`query ${median(times).toFixed(1)} ${n} ${q}`);
}
