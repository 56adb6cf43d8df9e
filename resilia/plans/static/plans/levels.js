// The response levels editor (plans/_levels_formset.html): "Add a level" clones the formset's
// empty row, the arrows move a row up or down. Each row's position number follows the order
// on the page, so the server keeps the levels in the order shown. Without this script the
// table still works: an empty row, typed positions, a remove box, Save for more rows.
(function () {
  document.querySelectorAll("[data-levels]").forEach(function (card) {
    var rows = card.querySelector("[data-levels-rows]");
    var template = card.querySelector("[data-levels-template]");
    var total = card.querySelector("input[name$='-TOTAL_FORMS']");
    var add = card.querySelector("[data-levels-add]");
    if (!rows || !template || !total || !add) return;

    function blank(row) {
      // An untouched new row: nothing typed in it, no position of its own from the server.
      var order = row.querySelector("[data-level-order]");
      if (order && order.defaultValue !== "") return false;
      return Array.prototype.every.call(
        row.querySelectorAll("input:not([type=checkbox]):not([data-level-order]), textarea"),
        function (field) { return field.value.trim() === ""; }
      );
    }

    function renumber() {
      var n = 0;
      rows.querySelectorAll("[data-level-row]").forEach(function (row) {
        var order = row.querySelector("[data-level-order]");
        if (!order) return;
        // A blank new row keeps no position: the server then skips it as empty.
        order.value = blank(row) ? "" : String(++n);
      });
    }

    function arm(row) {
      row.querySelectorAll("[data-level-up], [data-level-down]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          if (button.hasAttribute("data-level-up")) {
            var before = row.previousElementSibling;
            if (before) rows.insertBefore(row, before);
          } else {
            var after = row.nextElementSibling;
            if (after) rows.insertBefore(after, row);
          }
          renumber();
          button.focus();
        });
      });
    }

    rows.querySelectorAll("[data-level-row]").forEach(arm);
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html.trim();
      var row = holder.querySelector("[data-level-row]");
      rows.appendChild(row);
      total.value = String(index + 1);
      arm(row);
      var first = row.querySelector("input:not([data-level-order]), textarea");
      if (first) first.focus();
    });
    var form = card.closest("form");
    if (form) form.addEventListener("submit", renumber);
  });
})();
