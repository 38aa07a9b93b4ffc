// The offline search of an edition (search.html?q=TERMS). The index is
// search/index.js, loaded before this script as a plain script (no fetch,
// so it works from file:// as from any server); it sets
// window.POLICYGEN_SEARCH = { v, docs: [[href, number, title, text]],
// terms: { term: postings } } (generator/render/html/search_index.h).
// Terms are CJK bigrams and whole ASCII words, folded exactly as the
// generator folds them. The core (policygenSearch.query) also runs under
// Node, for the benchmark.
(function (root) {
  'use strict';

  function fold(c) {
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
    if (c >= 65 && c <= 90) c += 32;
    return c;
  }
  function kind(c) {
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) return 1; // word
    if ((c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
        (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x2ffff) ||
        (c >= 0x3040 && c <= 0x30ff) || (c >= 0xac00 && c <= 0xd7af)) return 2; // CJK
    return 0;
  }
  // The query's parts: runs of CJK characters and ASCII words, folded.
  function parts(q) {
    var out = [], cur = '', curKind = 0;
    for (var ch of q) {
      var c = fold(ch.codePointAt(0)), k = kind(c);
      if (k !== curKind && cur) { out.push({ kind: curKind, text: cur }); cur = ''; }
      curKind = k;
      if (k) cur += String.fromCodePoint(c);
    }
    if (cur && curKind) out.push({ kind: curKind, text: cur });
    return out;
  }
  // A part's index terms: the word, or the run's bigrams (none for one character).
  function termsOf(part) {
    if (part.kind === 1) return [part.text];
    var chars = Array.from(part.text), t = [];
    for (var i = 0; i + 1 < chars.length; i++) t.push(chars[i] + chars[i + 1]);
    return t;
  }
  // The same folding over a whole text, as one string of the same length
  // (so places in it are places in the text). toLowerCase is native and
  // fast; it lowers more than ASCII, which no term holds, and when it would
  // change the length the slow way is taken.
  var FULLWIDTH = /[\uff01-\uff5e]/g;
  function foldText(s) {
    var t = s.toLowerCase();
    if (t.length !== s.length) {
      t = '';
      for (var i = 0; i < s.length; i++) {
        var c = s.charCodeAt(i);
        t += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
      }
    }
    FULLWIDTH.lastIndex = 0;
    if (!FULLWIDTH.test(t)) return t;
    return t.replace(FULLWIDTH, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); });
  }
  // A term's docs: its postings are base-36 gaps joined by ",".
  function postings(index, term) {
    var p = index.terms[term];
    if (p === undefined) return null;
    var ids = [], last = 0, n = 0;
    for (var i = 0; i <= p.length; i++) {
      var c = i < p.length ? p.charCodeAt(i) : 44;
      if (c === 44) { last += n; ids.push(last); n = 0; } else n = n * 36 + (c <= 57 ? c - 48 : c - 87);
    }
    return ids;
  }
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }
  function count(hay, needle) {
    var n = 0, at = hay.indexOf(needle);
    while (at >= 0 && n < 50) { n++; at = hay.indexOf(needle, at + needle.length); }
    return n;
  }
  // The docs that hold every part, best first: [{ doc, score }].
  function query(index, q) {
    var ps = parts(q);
    if (!ps.length) return [];
    var candidates = null;
    ps.forEach(function (p) {
      termsOf(p).forEach(function (t) {
        var ids = postings(index, t) || [];
        candidates = candidates === null ? ids : intersect(candidates, ids);
      });
    });
    if (candidates === null) candidates = index.docs.map(function (_, i) { return i; });
    // CJK parts match the text as it is; ASCII words match it folded.
    var ascii = ps.some(function (p) { return p.kind === 1; });
    var phrase = ascii ? foldText(q.trim()) : q.trim();
    var results = [];
    candidates.forEach(function (id) {
      var d = index.docs[id];
      var title = ascii ? foldText(d[2]) : d[2], text = ascii ? foldText(d[3]) : d[3];
      var score = 0, all = true;
      ps.forEach(function (p) {
        var inTitle = count(title, p.text), inText = count(text, p.text);
        if (!inTitle && !inText) all = false;
        score += inTitle * 10 + Math.min(inText, 10);
      });
      if (!all) return; // bigrams may all be there without the words themselves
      if (phrase && ps.length > 1) score += count(title, phrase) * 20 + count(text, phrase) * 5;
      results.push({ doc: id, score: score });
    });
    results.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    return results;
  }
  // The snippet around the first match, as [{ text, mark }] pieces: the
  // whole query is marked where it occurs, else each of its parts.
  function snippet(text, q, width) {
    var needles = [foldText(q.trim())].concat(parts(q).map(function (p) { return p.text; }))
      .filter(function (n) { return n; });
    var folded = foldText(text);
    function next(from) { // the earliest match from `from`, the longest there
      var best = null;
      needles.forEach(function (n) {
        var j = folded.indexOf(n, from);
        if (j >= 0 && (!best || j < best.at || (j === best.at && n.length > best.len)))
          best = { at: j, len: n.length };
      });
      return best;
    }
    var first = next(0);
    var start = first ? Math.max(0, first.at - width) : 0;
    var end = Math.min(text.length, (first ? first.at + first.len : 0) + width * 2);
    var out = [], i = start;
    while (i < end) {
      var m = next(i);
      if (!m || m.at >= end) { out.push({ text: text.slice(i, end), mark: false }); break; }
      if (m.at > i) out.push({ text: text.slice(i, m.at), mark: false });
      out.push({ text: text.slice(m.at, m.at + m.len), mark: true });
      i = m.at + m.len;
    }
    if (start > 0) out.unshift({ text: '…', mark: false });
    if (end < text.length) out.push({ text: '…', mark: false });
    return out;
  }

  var api = { parts: parts, query: query, snippet: snippet };
  root.policygenSearch = api;
  if (typeof module === 'object' && module.exports) module.exports = api;

  // ---- the page ----
  if (typeof document === 'undefined') return;
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  if (!input || !list) return;
  var q = new URLSearchParams(location.search).get('q') || '';
  input.value = q;
  var boxes = document.querySelectorAll('.site-search input[name="q"]');
  boxes.forEach(function (b) { b.value = q; });
  var index = root.POLICYGEN_SEARCH;
  if (!index) { status.textContent = '找不到搜尋索引（search/index.js）。'; return; }
  if (!q.trim()) { input.focus(); return; }
  var results = query(index, q);
  status.textContent = results.length ? '「' + q + '」共 ' + results.length + ' 筆結果。'
                                      : '找不到「' + q + '」。請改用較短或其他詞語。';
  document.title = '「' + q + '」' + document.title;
  results.slice(0, 100).forEach(function (r) {
    var d = index.docs[r.doc];
    var li = document.createElement('li');
    var a = document.createElement('a');
    a.className = 'result-title';
    a.href = d[0];
    a.textContent = (d[1] ? d[1] + ' ' : '') + d[2];
    li.appendChild(a);
    var p = document.createElement('p');
    p.className = 'result-snippet';
    snippet(d[3], q, 40).forEach(function (s) {
      if (s.mark) {
        var m = document.createElement('mark');
        m.textContent = s.text;
        p.appendChild(m);
      } else {
        p.appendChild(document.createTextNode(s.text));
      }
    });
    if (d[3]) li.appendChild(p);
    list.appendChild(li);
  });
})(typeof window !== 'undefined' ? window : globalThis);
