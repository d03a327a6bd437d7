// Progressive enhancement for the public pages. Everything works without it: it adds
// suggestions as you type (an ARIA combobox over /v1/suggest), sorts when the sort changes,
// and folds the filters away on narrow screens.
"use strict";
(function () {
  document.documentElement.classList.add("js");

  function submitForm(form) {
    // requestSubmit runs the submit handlers (which drop empty fields); submit() would not.
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function combobox(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById("q-status");
    var timer = null, active = -1, items = [], lastQuery = "", request = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      items = [];
    }

    function highlight(index) {
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      input.value = items[index].textContent;
      close();
      submitForm(input.form);
    }

    function show(suggestions) {
      list.replaceChildren();
      items = suggestions.map(function (text, i) {
        var li = document.createElement("li");
        li.id = "q-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = text;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
        return li;
      });
      active = -1;
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      status.textContent = items.length ? items.length + " suggestion" + (items.length === 1 ? "" : "s") +
        " available; use the up and down arrows to choose" : "No suggestions";
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < 2) { close(); status.textContent = ""; return; }
      var mine = ++request;
      fetch("/v1/suggest?" + new URLSearchParams({ q: query, size: "8" }).toString(),
            { headers: { Accept: "application/json" }, credentials: "omit" })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) { if (mine === request && document.activeElement === input) show(body.suggestions || []); })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var q = document.getElementById("q");
    if (q && q.getAttribute("role") === "combobox") combobox(q);

    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { submitForm(select.form); });
    });

    // On a phone the filters start folded, so the results come first; the summary opens them.
    // On a wide screen they are always open (their summary is not shown there).
    var narrow = window.matchMedia("(max-width: 48em)");
    function fold() {
      document.querySelectorAll("details[data-collapse-narrow]").forEach(function (details) {
        details.open = !narrow.matches;
      });
    }
    fold();
    narrow.addEventListener("change", fold);

    // An empty range box would otherwise put "price_min=" in the address; leave it out.
    document.querySelectorAll("form[method=get]").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("input, select").forEach(function (field) {
          if (field.name && field.value === "" && field.type !== "checkbox" && field.type !== "radio") {
            field.disabled = true;
            setTimeout(function () { field.disabled = false; }, 0);
          } else if (field.type === "radio" && field.checked && field.value === "") {
            field.disabled = true;
            setTimeout(function () { field.disabled = false; }, 0);
          }
        });
      });
    });
  });
})();
