/* Search-as-you-type for <select data-picker="<url>"> whose options hold only the selected
 * values (the full lists may have 100,000 rows). A search box above the select asks the
 * access-filtered autocomplete (?q=, 20 results) and offers the results as options, always
 * keeping the selected ones. Works for single and multiple selects and after htmx swaps. */
(function () {
  "use strict";
  function enhance(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = "1";
    var url = select.getAttribute("data-picker");
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    input.placeholder = select.getAttribute("data-picker-placeholder") || "…";
    select.parentNode.insertBefore(input, select);
    var timer = null;
    function fill(pairs) {
      var keep = Array.prototype.filter.call(select.options, function (o) {
        return o.selected || o.value === "";
      }).map(function (o) { return [o.value, o.text, o.selected]; });
      var seen = {};
      select.innerHTML = "";
      keep.concat(pairs.map(function (p) { return [p[0], p[1], false]; })).forEach(function (item) {
        if (seen[item[0]]) { return; }
        seen[item[0]] = true;
        select.add(new Option(item[1], item[0], false, item[2]));
      });
      if (!select.multiple && pairs.length && !select.value) {
        select.size = Math.min(pairs.length + 1, 8);
      }
    }
    select.addEventListener("change", function () { select.size = 0; });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      timer = setTimeout(function () {
        var sep = url.indexOf("?") === -1 ? "?" : "&";
        fetch(url + sep + "q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { fill(data.results.map(function (r) { return [String(r.id), r.text]; })); });
      }, 250);
    });
  }
  function scan(root) {
    (root || document).querySelectorAll("select[data-picker]").forEach(enhance);
  }
  scan(document);
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
