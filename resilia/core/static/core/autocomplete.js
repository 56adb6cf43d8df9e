/* Search-as-you-type for long <select>s marked data-autocomplete="<url>".
 * Without JavaScript the plain <select> works; with it, a search box above the select
 * asks /org/autocomplete/<kind>/?q= (access-filtered, 20 results) and narrows the options,
 * always keeping the selected one. */
(function () {
  "use strict";
  function enhance(select) {
    var url = select.getAttribute("data-autocomplete");
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    input.placeholder = select.getAttribute("data-autocomplete-placeholder") || "…";
    select.parentNode.insertBefore(input, select);
    var original = Array.prototype.map.call(select.options, function (o) { return [o.value, o.text]; });
    var timer = null;
    function fill(pairs) {
      var current = select.value;
      var keep = Array.prototype.filter.call(select.options, function (o) { return o.value === "" || o.value === current; })
        .map(function (o) { return [o.value, o.text]; });
      select.innerHTML = "";
      var seen = {};
      keep.concat(pairs).forEach(function (pair) {
        if (seen[pair[0]]) { return; }
        seen[pair[0]] = true;
        var option = new Option(pair[1], pair[0], false, pair[0] === current);
        select.add(option);
      });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { fill(original); return; }
      timer = setTimeout(function () {
        var sep = url.indexOf("?") === -1 ? "?" : "&";
        fetch(url + sep + "q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { fill(data.results.map(function (r) { return [String(r.id), r.text]; })); });
      }, 250);
    });
  }
  document.querySelectorAll("select[data-autocomplete]").forEach(enhance);
})();
