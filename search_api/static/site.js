// Progressive enhancement for the public pages. Everything works without it: it adds
// suggestions as you type (an ARIA combobox over /v1/suggest), applies each filter and sort
// as it changes (the results swapped in place, the address kept in step), and folds the
// filters away on narrow screens.
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


  var narrow = window.matchMedia("(max-width: 48em)");

  function fold(keepOpen) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (details) {
      details.open = !narrow.matches || keepOpen === true;
      var summary = details.querySelector("summary");
      if (!summary) return;
      if (narrow.matches) summary.removeAttribute("tabindex"); else summary.setAttribute("tabindex", "-1");
    });
  }

  // The address a filter form stands for: its filled fields, in order, empty ones left out.
  function formUrl(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && value.trim() !== "") params.append(name, value.trim());
    });
    var query = params.toString();
    return (form.getAttribute("action") || "/") + (query ? "?" + query : "");
  }

  // Filters that act: each change fetches the page it stands for and swaps in its results and
  // facets; the address follows (pushState) and back and forward fetch again (popstate).
  // Without a script, or if the fetch fails, the form submits as any form does.
  function liveResults(form, region) {
    var status = document.getElementById("results-status");
    var latest = 0, timer = null;
    var TYPING_PAUSE = 600; // ms

    function focusKey(element) {
      if (!element || !region.contains(element) || !element.name) return null;
      var choice = element.type === "checkbox" || element.type === "radio";
      return { name: element.name, value: choice ? element.value : null, typed: choice ? null : element.value };
    }

    function restoreFocus(key) {
      if (!key) return;
      var candidates = region.querySelectorAll("[name]");
      for (var i = 0; i < candidates.length; i++) {
        var c = candidates[i];
        if (c.name === key.name && (key.value === null || c.value === key.value)) {
          var more = c.closest("details.more");
          if (more) more.open = true;
          c.focus();
          // Typing went on while the results were fetched: keep it, and apply it in turn.
          if (key.typed !== null && c.value !== key.typed) {
            c.value = key.typed;
            schedule(TYPING_PAUSE);
          }
          return;
        }
      }
    }

    function swap(html, url) {
      var next = new DOMParser().parseFromString(html, "text/html");
      var fresh = next.getElementById("search-region");
      if (!fresh) return false;
      var focused = focusKey(document.activeElement);
      var panel = region.querySelector("details[data-collapse-narrow]");
      var panelOpen = panel ? panel.open : false;
      var openMore = [];
      region.querySelectorAll("details.more[open]").forEach(function (d) {
        var fieldset = d.closest("fieldset");
        if (fieldset) openMore.push(fieldset.querySelector("legend").textContent);
      });
      region.replaceChildren.apply(region, Array.prototype.slice.call(fresh.childNodes).map(function (n) {
        return document.importNode(n, true);
      }));
      region.setAttribute("data-compact", fresh.getAttribute("data-compact"));
      var hero = document.querySelector(".search-hero");
      if (hero) hero.classList.toggle("compact", fresh.getAttribute("data-compact") === "true");
      var q = document.getElementById("q"), freshQ = next.getElementById("q");
      if (q && freshQ && document.activeElement !== q) q.value = freshQ.value;
      document.title = next.title;
      fold(panelOpen);
      region.querySelectorAll("details.more").forEach(function (d) {
        var fieldset = d.closest("fieldset");
        if (fieldset && openMore.indexOf(fieldset.querySelector("legend").textContent) >= 0) d.open = true;
      });
      restoreFocus(focused);
      var heading = document.getElementById("results-heading");
      if (status && heading) status.textContent = heading.textContent.trim().replace(/\s+/g, " ");
      return true;
    }

    function load(url, how) {
      var mine = ++latest;
      region.setAttribute("aria-busy", "true");
      return fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok && response.status !== 400) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          if (mine !== latest) return;
          if (how === "push") history.pushState({ search: true }, "", url);
          if (!swap(html, url)) window.location.assign(url);
        })
        .catch(function () { if (mine === latest) window.location.assign(url); })
        .then(function () { if (mine === latest) region.removeAttribute("aria-busy"); });
    }

    function apply() {
      clearTimeout(timer);
      var url = formUrl(form);
      if (url === window.location.pathname + window.location.search) return;
      load(url, "push");
    }

    history.replaceState({ search: true }, "", window.location.href);
    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(apply, delay);
    }
    function typed(field) { return field.type === "number" || field.type === "date"; }
    form.addEventListener("change", function (event) {
      var field = event.target;
      if (!field.name || field.name === "q") return;
      schedule(0);
    });
    // A number or a date applies once typing pauses, not at every key.
    form.addEventListener("input", function (event) {
      var field = event.target;
      if (field.name && typed(field)) schedule(TYPING_PAUSE);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    window.addEventListener("popstate", function (event) {
      if (event.state && event.state.search) load(window.location.href, "replace");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var q = document.getElementById("q");
    if (q && q.getAttribute("role") === "combobox") combobox(q);

    var region = document.getElementById("search-region");
    var searchForm = document.getElementById("search");
    if (region && searchForm && window.fetch && window.history && window.DOMParser) {
      liveResults(searchForm, region);
    } else {
      document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
        select.addEventListener("change", function () { submitForm(select.form); });
      });
    }

    // On a phone the filters start folded, so the results come first; the summary opens them.
    // On a wide screen they are always open: their summary is neither shown nor reachable by
    // the keyboard there, so no key press can fold them away.
    narrow.addEventListener("change", fold);
    fold();
    document.addEventListener("click", function (event) {
      var summary = event.target.closest && event.target.closest("details[data-collapse-narrow] > summary");
      if (summary && !narrow.matches) event.preventDefault();
    });

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
