// The BIA questionnaire: derive the MTPD live from the ratings (the same rule as
// resilia/engine/bia.py: the earliest time point at which any category reaches its own
// threshold, peak periods included), explain it, flag ratings that fall, carry a row right.
(function () {
  "use strict";
  var dataNode = document.getElementById("bia-framework");
  var form = document.getElementById("questionnaire");
  if (!dataNode || !form) return;
  var fw = JSON.parse(dataNode.textContent);
  var names = {};
  var thresholds = {};
  fw.categories.forEach(function (c) {
    names[c.code] = c.name;
    thresholds[c.code] = c.threshold;
  });

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function rowValues(grid, code) {
    var cells = grid.querySelectorAll('select.bia-rating[data-category="' + code + '"]');
    return Array.prototype.map.call(cells, function (el) {
      return el.value === "" ? null : parseInt(el.value, 10);
    });
  }

  function derive(grid) {
    var per = {};
    var best = null;
    fw.categories.forEach(function (c) {
      var row = rowValues(grid, c.code);
      var reach = null;
      for (var i = 0; i < row.length; i++) {
        if (row[i] !== null && row[i] >= c.threshold) {
          reach = { index: i, rating: row[i] };
          break;
        }
      }
      per[c.code] = reach;
      if (reach && (best === null || reach.index < best)) best = reach.index;
    });
    return { per: per, best: best };
  }

  function markFalls(grid) {
    var falls = false;
    fw.categories.forEach(function (c) {
      var cells = grid.querySelectorAll('select.bia-rating[data-category="' + c.code + '"]');
      var high = null;
      Array.prototype.forEach.call(cells, function (el) {
        var v = el.value === "" ? null : parseInt(el.value, 10);
        var bad = v !== null && high !== null && v < high;
        el.classList.toggle("is-invalid", bad);
        if (bad) falls = true;
        if (v !== null && (high === null || v > high)) high = v;
      });
    });
    return falls;
  }

  function update() {
    var grids = form.querySelectorAll("table.bia-grid");
    var overall = null;
    var lines = [];
    var falls = false;
    Array.prototype.forEach.call(grids, function (grid) {
      var d = derive(grid);
      falls = markFalls(grid) || falls;
      fw.categories.forEach(function (c) {
        var cell = grid.querySelector('[data-reach="' + c.code + '"]');
        var reach = d.per[c.code];
        if (cell) cell.textContent = reach ? fw.labels[reach.index] : "—";
      });
      if (d.best !== null && (overall === null || d.best < overall.index)) {
        overall = { index: d.best, per: d.per };
      }
    });
    var out = document.getElementById("bia-mtpd");
    var explain = document.getElementById("bia-explain");
    if (overall === null) {
      out.textContent = fill(fw.text.none, { time: fw.labels[fw.labels.length - 1] });
      explain.textContent = "";
    } else {
      out.textContent = fw.labels[overall.index];
      fw.categories.forEach(function (c) {
        var r = overall.per[c.code];
        if (r && r.index === overall.index) {
          lines.push(fill(fw.text.reach, { time: fw.labels[r.index], category: c.name, rating: r.rating }));
        }
      });
      explain.textContent = "";
      lines.forEach(function (line) {
        var li = document.createElement("li");
        li.textContent = line;
        explain.appendChild(li);
      });
    }
    var fallsNote = document.getElementById("bia-falls");
    if (fallsNote) fallsNote.classList.toggle("d-none", !falls);
  }

  form.addEventListener("change", function (e) {
    if (e.target.classList && e.target.classList.contains("bia-rating")) update();
  });
  form.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest(".bia-carry") : null;
    if (!button) return;
    var grid = button.closest("table.bia-grid");
    var cells = grid.querySelectorAll('select.bia-rating[data-category="' + button.dataset.carry + '"]');
    var high = null;
    Array.prototype.forEach.call(cells, function (el) {
      var v = el.value === "" ? null : parseInt(el.value, 10);
      if (v !== null && (high === null || v > high)) high = v;
      if (high !== null && (v === null || v < high)) el.value = String(high);
    });
    update();
  });
  update();
})();
