// The status page's filter by text (an owner, a register, a word of the
// message): rows that do not match are hidden. Without JavaScript the page's
// group links filter by status alone (style.css, :target).
(function () {
  'use strict';
  var nav = document.querySelector('.status-filter');
  var groups = document.querySelector('.status-groups');
  if (!nav || !groups) return;
  var label = document.createElement('label');
  label.className = 'filter-text';
  label.textContent = '篩選：';
  var input = document.createElement('input');
  input.type = 'search';
  input.placeholder = '負責人、事項';
  label.appendChild(input);
  nav.appendChild(label);
  var rows = groups.querySelectorAll('table.flags tbody tr');
  input.addEventListener('input', function () {
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var keep = words.every(function (w) { return text.indexOf(w) >= 0; });
      row.classList.toggle('filtered-out', !keep);
    });
  });
})();
