(function () {
  "use strict";
  // Sorting and filtering for every `table.data`. Without this script the page shows
  // every row in input order; nothing depends on it.
  document.documentElement.classList.add("js");
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  each(document.querySelectorAll("table.data"), function (table) {
    var body = table.tBodies[0];
    if (!body || !table.tHead) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    var tools = document.createElement("div");
    tools.className = "tools";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "Filter rows";
    input.setAttribute("aria-label", "Filter the rows of this table");
    var shown = document.createElement("span");
    shown.className = "shown";
    tools.appendChild(input);
    tools.appendChild(shown);
    table.parentNode.insertBefore(tools, table);
    var update = function () {
      var query = input.value.trim().toLowerCase();
      var n = 0;
      rows.forEach(function (row) {
        var hit = !query || row.textContent.toLowerCase().indexOf(query) !== -1;
        row.hidden = !hit;
        if (hit) { n += 1; }
      });
      shown.textContent = query ? n + " of " + rows.length + " rows" : rows.length + " rows";
    };
    input.addEventListener("input", update);
    update();
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "Sort by this column";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var direction = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
        var keyed = rows.map(function (row, index) {
          var cell = row.cells[column];
          var raw = cell ? (cell.getAttribute("data-sort") || cell.textContent.trim()) : "";
          var num = /^-?[0-9]+(\.[0-9]+)?$/.test(raw) ? parseFloat(raw) : null;
          return { row: row, index: index, raw: raw, num: num };
        });
        keyed.sort(function (a, b) {
          var c;
          if (a.num !== null && b.num !== null) { c = a.num - b.num; }
          else if (a.num !== null) { c = -1; }
          else if (b.num !== null) { c = 1; }
          else { c = a.raw.localeCompare(b.raw, undefined, { numeric: true }); }
          return c * direction || a.index - b.index;
        });
        keyed.forEach(function (k) { body.appendChild(k.row); });
      });
    });
  });
})();
