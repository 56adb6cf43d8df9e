/* The kit's picker (resilia/core/pickers.py): search as you type over a large table.
 *
 * The server renders <div class="picker" data-picker="<endpoint>"> holding a text input that
 * takes codes (the no-JavaScript form) and the selected rows as <li data-value>. This script
 * turns the input into a combobox (WAI-ARIA 1.2: role=combobox, aria-expanded,
 * aria-controls, aria-activedescendant over a role=listbox), asks the endpoint (?q=, debounced,
 * at most ~20 access-filtered rows) and submits the chosen ids in hidden inputs named like
 * the field. Keys: ArrowDown/ArrowUp move, Enter picks, Escape closes, Backspace in an empty
 * box removes the last chosen row of a multiple picker. A choice fires "change" on the box, so
 * a list filter (hx-trigger="change", core/lists.py) applies it at once, as a select does.
 * Works again after htmx swaps. */
(function () {
  "use strict";
  var counter = 0;

  function enhance(root) {
    if (root.dataset.pickerReady) { return; }
    root.dataset.pickerReady = "1";
    counter += 1;
    var url = root.getAttribute("data-picker");
    var multiple = root.hasAttribute("data-picker-multiple");
    var input = root.querySelector("input[type=text]");
    var name = input.name;
    var listId = (input.id || "picker-" + counter) + "-listbox";
    var chosen = Array.prototype.map.call(root.querySelectorAll(".picker-chosen li"), function (li) {
      return { id: li.getAttribute("data-value"), text: li.textContent };
    });
    root.querySelector(".picker-chosen").remove();

    input.removeAttribute("name");
    input.removeAttribute("required");
    // The codes rendered for the form without JavaScript are shown as chips from now on: the
    // box is left empty for a new search (else it would search for the codes).
    if (multiple) { input.value = ""; }
    input.placeholder = input.getAttribute("data-picker-placeholder") || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var chips = document.createElement("div");
    chips.className = "picker-chips";
    var values = document.createElement("div");
    values.className = "picker-values";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list dropdown-menu";
    list.setAttribute("role", "listbox");
    if (multiple) { list.setAttribute("aria-multiselectable", "true"); }
    var label = input.id && document.querySelector("label[for='" + input.id + "']");
    if (label) {
      if (!label.id) { label.id = input.id + "-label"; }
      list.setAttribute("aria-labelledby", label.id);
    }
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    if (multiple) { root.insertBefore(chips, input); }
    root.appendChild(list);
    root.appendChild(values);
    root.appendChild(status);

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function render() {
      values.innerHTML = "";
      chosen.forEach(function (item) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = name;
        hidden.value = item.id;
        if (input.form && input.getAttribute("form")) { hidden.setAttribute("form", input.getAttribute("form")); }
        values.appendChild(hidden);
      });
      if (multiple) {
        chips.innerHTML = "";
        chosen.forEach(function (item, index) {
          var chip = document.createElement("span");
          chip.className = "badge bg-blue-lt picker-chip";
          chip.textContent = item.text;
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "btn-close picker-remove";
          remove.setAttribute("aria-label", (root.getAttribute("data-picker-remove") || "Remove") + " " + item.text);
          remove.addEventListener("click", function () { unpick(index); input.focus(); });
          chip.appendChild(remove);
          chips.appendChild(chip);
        });
      } else {
        input.value = chosen.length ? chosen[0].text : "";
      }
    }

    function open() {
      list.classList.add("show");
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      list.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      items.forEach(function (li, i) {
        li.classList.toggle("active", i === active);
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
    function show(rows) {
      results = rows;
      list.innerHTML = "";
      if (!rows.length) {
        var none = document.createElement("li");
        none.className = "dropdown-item disabled";
        none.textContent = root.getAttribute("data-picker-none") || "—";
        list.appendChild(none);
      }
      rows.forEach(function (row, index) {
        var li = document.createElement("li");
        li.id = listId + "-" + index;
        li.className = "dropdown-item";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = row.text;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(row); });
        list.appendChild(li);
      });
      status.textContent = (root.getAttribute("data-picker-found") || "%s").replace("%s", rows.length);
      open();
      active = -1;
    }
    function ask() {
      var q = multiple || !chosen.length || input.value !== chosen[0].text ? input.value.trim() : "";
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      var mine = ++asked;
      fetch(url + sep + "q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (mine !== asked) { return; }  // an older answer arriving late
          show((data.results || []).map(function (r) { return { id: String(r.id), text: r.text }; }));
        })
        .catch(function () { if (mine === asked) { show([]); } });
    }
    function pick(row) {
      if (multiple) {
        if (!chosen.some(function (c) { return c.id === row.id; })) { chosen.push(row); }
        input.value = "";
      } else {
        chosen = [row];
      }
      render();
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function unpick(index) {
      chosen.splice(index, 1);
      render();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
    input.addEventListener("keydown", function (event) {
      var expanded = list.classList.contains("show");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!expanded) { ask(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && expanded && active >= 0) {
        event.preventDefault();
        pick(results[active]);
      } else if (event.key === "Escape" && expanded) {
        event.preventDefault();
        close();
      } else if (event.key === "Backspace" && multiple && !input.value && chosen.length) {
        unpick(chosen.length - 1);
      }
    });
    input.addEventListener("blur", function () {
      close();
      if (!multiple) {
        // An emptied box clears the choice; a half-typed search goes back to the choice.
        var cleared = !input.value.trim() && chosen.length;
        if (cleared) { chosen = []; }
        render();
        if (cleared) { input.dispatchEvent(new Event("change", { bubbles: true })); }
      } else {
        input.value = "";
      }
    });
    render();
  }

  function scan(node) {
    (node || document).querySelectorAll(".picker[data-picker]").forEach(enhance);
  }
  scan(document);
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
