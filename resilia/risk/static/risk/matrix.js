/* The risk matrix editor (risk/matrix_edit.html): reveals blank rows one at a time ("Add a
   row"), greys out removed rows, sizes the cell grid to the levels kept, fills it with
   likelihood × impact when scoring by product, and previews each cell's band colour. The form
   works without it: every row is then shown and the server does all the checking. */
(function () {
  "use strict";
  var SHADES = ["blue", "green", "yellow", "orange", "red", "grey"];

  function blank(row) {
    return Array.prototype.every.call(row.querySelectorAll("input, select"), function (el) {
      if (el.type === "checkbox" || el.type === "radio") { return !el.checked; }
      return !el.value;
    });
  }

  function kept(table) {
    return Array.prototype.filter.call(table.querySelectorAll("tbody tr"), function (row) {
      var remove = row.querySelector("[data-remove-row]");
      return !row.classList.contains("d-none") && !(remove && remove.checked);
    });
  }

  function field(row, name) {
    var el = row.querySelector("[name$='-" + name + "']");
    return el ? el.value : "";
  }

  function shade(el, colour) {
    SHADES.forEach(function (c) { el.classList.remove("report-shade-" + c); });
    if (colour) { el.classList.add("report-shade-" + colour); }
  }

  function init(form) {
    var tables = {};
    form.querySelectorAll("[data-matrix-rows]").forEach(function (table) {
      tables[table.dataset.matrixRows] = table;
      table.querySelectorAll("tbody tr[data-extra]").forEach(function (row) {
        if (blank(row)) { row.classList.add("d-none"); }
      });
      var button = form.querySelector("[data-add-row='" + table.dataset.matrixRows + "']");
      if (button) {
        button.classList.toggle("d-none", !table.querySelector("tbody tr.d-none"));
        button.addEventListener("click", function () {
          var next = table.querySelector("tbody tr.d-none");
          if (next) { next.classList.remove("d-none"); }
          button.classList.toggle("d-none", !table.querySelector("tbody tr.d-none"));
          refresh();
        });
      }
    });
    var method = form.querySelector("[data-matrix-method]");
    var grid = form.querySelector("[data-testid='score-grid']");

    function refresh() {
      var nl = kept(tables.likelihood).length, ni = kept(tables.impact).length;
      var product = method && method.value === "product";
      var bands = kept(tables.bands).map(function (row) {
        return {min: Number(field(row, "min")), max: Number(field(row, "max")),
                colour: field(row, "colour")};
      });
      Object.keys(tables).forEach(function (name) {
        tables[name].querySelectorAll("tbody tr").forEach(function (row) {
          var remove = row.querySelector("[data-remove-row]");
          row.classList.toggle("opacity-50", Boolean(remove && remove.checked));
          var swatch = row.querySelector("[data-swatch]");
          if (swatch) { shade(swatch, field(row, "colour")); }
        });
      });
      if (!grid) { return; }
      grid.querySelectorAll("thead [data-impact]").forEach(function (th) {
        th.classList.toggle("d-none", Number(th.dataset.impact) > ni);
      });
      grid.querySelectorAll("tbody tr[data-likelihood]").forEach(function (tr) {
        var l = Number(tr.dataset.likelihood);
        tr.classList.toggle("d-none", l > nl);
        tr.querySelectorAll("td[data-impact]").forEach(function (td) {
          var i = Number(td.dataset.impact), input = td.querySelector("input");
          td.classList.toggle("d-none", i > ni);
          if (product) {
            if (!input.readOnly) { input.dataset.table = input.value; }
            input.value = String(l * i);
            input.readOnly = true;
          } else if (input.readOnly) {
            input.readOnly = false;
            if (input.dataset.table) { input.value = input.dataset.table; }
          }
          var score = Number(input.value), colour = "";
          bands.forEach(function (b) { if (score >= b.min && score <= b.max) { colour = b.colour; } });
          shade(td, colour);
        });
      });
    }
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-matrix-editor]").forEach(init);
  });
})();
