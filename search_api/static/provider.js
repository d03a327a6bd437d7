// The provider page: sign in with a provider key, check a feed (dry run), submit it, follow
// its report, register a feed address. The key lives in this tab's sessionStorage only and
// is sent only as an Authorization header to this site's own API.
"use strict";
(function () {
  var STORE = "microcred.providerKey";
  var $ = function (id) { return document.getElementById(id); };
  var state = { key: null, me: null, file: null, checked: null };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "className") node.className = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function providerId() {
    if (state.me && state.me.provider_id) return state.me.provider_id;
    return $("admin-provider").value.trim();
  }

  function api(method, path, options) {
    options = options || {};
    var headers = { "Authorization": "Bearer " + state.key, "Accept": "application/json" };
    Object.keys(options.headers || {}).forEach(function (h) { headers[h] = options.headers[h]; });
    return fetch(path, { method: method, headers: headers, body: options.body, credentials: "omit",
                         cache: "no-store" })
      .then(function (response) {
        return response.text().then(function (text) {
          var body = null;
          try { body = text ? JSON.parse(text) : null; } catch (e) { body = { raw: text }; }
          if (!response.ok) {
            var message = (body && body.error && body.error.message) || ("HTTP " + response.status);
            var error = new Error(message);
            error.status = response.status;
            throw error;
          }
          return body;
        });
      });
  }

  function providerPath(rest) {
    return "/v1/providers/" + encodeURIComponent(providerId()) + rest;
  }

  function say(message, isError) {
    var status = $("status");
    status.textContent = message;
    status.className = "status-line" + (isError ? " status-error" : "");
  }

  function fieldError(id, message) {
    var node = $(id + "-error");
    var input = $(id);
    if (message) {
      node.textContent = message;
      node.hidden = false;
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    } else {
      node.textContent = "";
      node.hidden = true;
      if (input) input.removeAttribute("aria-invalid");
    }
  }

  function when(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  // --- sign in --------------------------------------------------------------------------

  function signIn(key, quiet) {
    state.key = key;
    return api("GET", "/v1/me").then(function (me) {
      if (me.role !== "provider" && me.role !== "admin") {
        throw new Error("This is " + (me.role === "agency" ? "an agency" : "a " + me.role) +
          " key. Use your provider key here; agency keys open the agency dashboard.");
      }
      state.me = me;
      sessionStorage.setItem(STORE, key);
      $("signin").hidden = true;
      $("workspace").hidden = false;
      $("who-provider").textContent = me.provider_name || me.provider_id || "any provider (admin key)";
      $("who-id").textContent = me.provider_id ? "id " + me.provider_id + ", " : "";
      $("who-key").textContent = me.key_prefix;
      $("admin-provider-field").hidden = me.role !== "admin";
      if (!quiet) $("upload-heading").focus();
      if (me.role !== "admin") loadAll();
    }).catch(function (error) {
      state.key = null;
      sessionStorage.removeItem(STORE);
      if (!quiet) fieldError("api-key", error.status === 401 ?
        "That key was not accepted: " + error.message : error.message);
    });
  }

  function signOut() {
    sessionStorage.removeItem(STORE);
    state.key = state.me = state.file = state.checked = null;
    $("workspace").hidden = true;
    $("signin").hidden = false;
    $("api-key").value = "";
    $("api-key").focus();
  }

  // --- reports --------------------------------------------------------------------------

  var STATUS_WORDS = {
    dry_run: "Checked (nothing stored)", received: "Waiting", processing: "Being processed",
    applied: "Published", failed: "Failed", held: "Held: needs your confirmation",
    discarded: "Discarded"
  };

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // The one sentence a provider needs first: what happened (or would), in words.
  function keyFact(report) {
    if (report.error) return "The feed could not be used: " + report.error;
    var rejected = report.rejected ? "; " + report.rejected + " rejected (each is listed below with what to fix)" : "";
    var withdrawn = report.withdrawn ? "; " + plural(report.withdrawn, "course") + " of yours not in it " +
      (report.status === "dry_run" ? "would be" : "were") + " withdrawn" : "";
    var of = report.accepted + " of " + plural(report.records, "course");
    if (report.status === "held") {
      return "Held: would withdraw " + report.held_withdrawals + " of your " + report.active_before +
        " active courses. Nothing has changed yet: apply it, withdrawals and all, or discard it.";
    }
    if (report.status === "dry_run") {
      var held = report.held_withdrawals ? " Submitted, it would be held for your confirmation: it would withdraw " +
        report.held_withdrawals + " of your " + report.active_before + " active courses." : "";
      return "Checked: " + of + " would be published" + rejected + withdrawn + ". Nothing has been stored yet." + held;
    }
    if (report.status === "applied") return "Published: " + of + rejected + withdrawn + ".";
    if (report.status === "discarded") return "Discarded: nothing from this snapshot was applied.";
    return STATUS_WORDS[report.status] || report.status;
  }

  // A table that stacks into one block per row on a phone, each cell under its heading.
  function stackTable(className, caption, headings, rows) {
    var table = el("table", { className: "table stack-table " + className });
    table.appendChild(el("caption", { text: caption }));
    table.appendChild(el("thead", {}, [el("tr", {}, headings.map(function (h) {
      return el("th", { scope: "col", text: h });
    }))]));
    var body = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr", { className: row.className || "" });
      row.cells.forEach(function (cell, i) {
        var td = el("td", { "data-label": headings[i] });
        if (typeof cell === "string") td.textContent = cell; else td.appendChild(cell);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  function fieldCell(name) {
    return name === "_record" ? document.createTextNode("whole course") : el("code", { text: name });
  }

  function issueRows(issues) {
    return issues.map(function (issue) {
      var problem = el("span");
      problem.appendChild(el("strong", { className: "severity", text: issue.severity === "error" ? "Error: " : (issue.severity === "warning" ? "Warning: " : "Note: ") }));
      problem.appendChild(document.createTextNode(issue.message));
      return { className: "issue-" + issue.severity,
               cells: [issue.locator || "whole feed", issue.record_id || "", fieldCell(issue.field), problem, issue.value || ""] };
    });
  }

  function reportView(report, heading, actions) {
    var wrap = el("div", { className: "report" });
    // The withdrawal guard's own issue is the summary's key fact, not a row of the table.
    var issues = report.issues.filter(function (i) {
      return !(i.field === "_record" && !i.locator && report.held_withdrawals);
    });
    var errors = issues.filter(function (i) { return i.severity === "error"; });
    var others = issues.filter(function (i) { return i.severity !== "error"; });
    var tone = report.error || errors.length ? "report-bad" :
      (others.length || report.status === "held" ? "report-warn" : "report-good");
    var summary = el("div", { className: "report-summary " + tone });
    summary.appendChild(el("p", { className: "report-status", text: heading || (STATUS_WORDS[report.status] || report.status) }));
    summary.appendChild(el("p", { className: "report-key", text: keyFact(report) }));
    if (actions) summary.appendChild(actions);
    var counts = el("dl", { className: "counts" });
    [["Records", report.records], ["Accepted", report.accepted], ["Rejected", report.rejected],
     ["With warnings", report.warned], ["New", report.created], ["Changed", report.updated],
     ["Unchanged", report.unchanged], ["Withdrawn", report.withdrawn]].forEach(function (pair) {
      counts.appendChild(el("div", {}, [el("dt", { text: pair[0] }), el("dd", { text: String(pair[1] || 0) })]));
    });
    summary.appendChild(counts);
    wrap.appendChild(summary);
    if (report.withdrawn_ids && report.withdrawn_ids.length) {
      wrap.appendChild(el("p", { text: (report.status === "dry_run" || report.status === "held" ? "Would withdraw: " : "Withdrawn: ") +
        report.withdrawn_ids.join(", ") }));
    }
    if (errors.length) {
      wrap.appendChild(el("h3", { className: "report-part", text: "Rejected: " + plural(errors.length, "problem") + " to fix" }));
      wrap.appendChild(stackTable("issues-table", "Each rejected course with its line, its id, the field at fault and what to fix. Rejected courses are not published; the rest are.",
        ["Line", "Course id", "Field", "What to fix", "Value"], issueRows(errors)));
    }
    if (others.length) {
      wrap.appendChild(el("h3", { className: "report-part", text: "Warnings and notes: " + others.length }));
      wrap.appendChild(stackTable("issues-table", "These courses are published; the values named were read as best we could.",
        ["Where", "Course id", "Field", "Problem", "Value"], issueRows(others)));
    }
    if (!issues.length && !report.error) wrap.appendChild(el("p", { text: "No problems found." }));
    if (report.preview && report.preview.length) wrap.appendChild(previewView(report));
    return wrap;
  }

  // After a dry run: the first rows, each value as written beside what we made of it.
  function previewView(report) {
    var part = el("section", { className: "preview", "aria-labelledby": "preview-heading" });
    part.appendChild(el("h3", { id: "preview-heading", className: "report-part",
      text: "How we read your first " + plural(report.preview.length, "course") }));
    part.appendChild(el("p", { className: "hint", text: "Each value as your file gives it, beside what we made of it. Check that each reads as you meant." }));
    report.preview.forEach(function (row, index) {
      var details = el("details", { className: "preview-row" + (row.accepted ? "" : " preview-rejected") });
      if (index === 0) details.setAttribute("open", "");
      details.appendChild(el("summary", { text: row.locator + (row.record_id ? " · " + row.record_id : "") +
        (row.accepted ? " · accepted" : " · rejected") }));
      var rows = row.values.map(function (v) {
        var note = v.problems.join(" ");
        return { className: v.problems.length ? "preview-problem" : "",
                 cells: [el("code", { text: v.field }), v.written || "(empty)", v.made || (row.accepted ? "Not stated" : "Not read: the course was rejected"), note] };
      });
      details.appendChild(stackTable("preview-table", "What we made of " + row.locator,
        ["Field", "You wrote", "We made of it", "Problem"], rows));
      row.problems.forEach(function (p) { details.appendChild(el("p", { className: "field-error", text: p })); });
      part.appendChild(details);
    });
    return part;
  }

  // --- upload: check, then submit -------------------------------------------------------

  function feedQuery() {
    var params = new URLSearchParams();
    params.set("mode", $("feed-mode").value);
    if ($("feed-format").value) params.set("format", $("feed-format").value);
    return "?" + params.toString();
  }

  function check(event) {
    event.preventDefault();
    fieldError("feed-file", "");
    var file = $("feed-file").files[0];
    if (!file) { fieldError("feed-file", "Choose a feed file to check."); return; }
    if (!providerId()) { say("Enter the provider id first.", true); return; }
    state.file = file;
    say("Checking " + file.name + " …");
    $("check-button").disabled = true;
    api("POST", providerPath("/validate") + feedQuery(), {
      body: file, headers: { "Content-Type": file.type || "application/octet-stream" }
    }).then(function (report) {
      state.checked = { file: file, query: feedQuery(), idempotency: "web-" + Date.now() + "-" + Math.random().toString(36).slice(2) };
      var box = $("check-report");
      box.replaceChildren(reportView(report, "Checked " + file.name + ": nothing has been stored yet"));
      $("check-panel").hidden = false;
      $("submit-button").disabled = !!report.error || report.accepted === 0;
      say("Check finished: " + report.accepted + " accepted, " + report.rejected + " rejected.");
      $("check-heading").focus();
    }).catch(function (error) {
      fieldError("feed-file", "The feed could not be checked: " + error.message);
      say("The feed could not be checked.", true);
    }).then(function () { $("check-button").disabled = false; });
  }

  function submit() {
    if (!state.checked) return;
    var checked = state.checked;
    $("submit-button").disabled = true;
    say("Submitting " + checked.file.name + " …");
    api("POST", providerPath("/submissions") + checked.query, {
      body: checked.file,
      headers: { "Content-Type": checked.file.type || "application/octet-stream",
                 "Idempotency-Key": checked.idempotency }
    }).then(function (submission) {
      $("check-panel").hidden = true;
      $("upload-form").reset();
      state.checked = null;
      say("Submission " + submission.id + " received; processing it …");
      return follow(submission.id, 0);
    }).catch(function (error) {
      say("The feed was not submitted: " + error.message, true);
      $("submit-button").disabled = false;
    });
  }

  function follow(id, attempt) {
    return api("GET", providerPath("/submissions/" + id)).then(function (submission) {
      if ((submission.status === "received" || submission.status === "processing") && attempt < 120) {
        return new Promise(function (resolve) { setTimeout(resolve, 500); })
          .then(function () { return follow(id, attempt + 1); });
      }
      say("Submission " + id + ": " + (STATUS_WORDS[submission.status] || submission.status) + ".",
          submission.status === "failed");
      showReport(submission);
      loadSubmissions();
    });
  }

  function showReport(submission) {
    var body = $("report-body");
    body.replaceChildren();
    body.appendChild(el("p", { className: "muted", text: "Submission " + submission.id + ", received " +
      when(submission.received_at) + " (" + submission.channel + ", " + submission.mode +
      (submission.format ? ", " + submission.format : "") + ")" }));
    var actions = null;
    if (submission.status === "held") {
      var confirm = el("button", { type: "button", className: "button", text: "Apply it, withdrawals and all" });
      var discard = el("button", { type: "button", className: "button button-secondary", text: "Discard it" });
      confirm.addEventListener("click", function () { decide(submission.id, "confirm"); });
      discard.addEventListener("click", function () { decide(submission.id, "discard"); });
      actions = el("div", { className: "button-row" }, [confirm, discard]);
    }
    body.appendChild(reportView(submission.report, STATUS_WORDS[submission.status] || submission.status, actions));
    $("report-heading").textContent = "Report of submission " + submission.id;
    $("report-panel").hidden = false;
    $("report-heading").focus();
  }

  function decide(id, action) {
    api("POST", providerPath("/submissions/" + id + "/" + action)).then(function () {
      say(action === "confirm" ? "Submission " + id + " confirmed; applying it …" : "Submission " + id + " discarded.");
      return follow(id, 0);
    }).catch(function (error) { say(error.message, true); });
  }

  // --- lists ----------------------------------------------------------------------------

  function fillTable(tableId, emptyId, rows) {
    var tbody = $(tableId).querySelector("tbody");
    tbody.replaceChildren();
    rows.forEach(function (cells) {
      tbody.appendChild(el("tr", {}, cells.map(function (cell) {
        return typeof cell === "string" ? el("td", { text: cell }) : el("td", {}, [cell]);
      })));
    });
    $(emptyId).hidden = rows.length > 0;
  }

  function loadSubmissions() {
    return api("GET", providerPath("/submissions?limit=20")).then(function (body) {
      fillTable("submissions-table", "submissions-empty", body.submissions.map(function (s) {
        var view = el("button", { type: "button", className: "link-button", text: "View report" });
        view.appendChild(el("span", { className: "visually-hidden", text: " of submission " + s.id }));
        view.addEventListener("click", function () {
          api("GET", providerPath("/submissions/" + s.id)).then(showReport)
            .catch(function (error) { say(error.message, true); });
        });
        var counts = s.counts || {};
        return [String(s.id), when(s.received_at), s.channel, s.format || "",
                STATUS_WORDS[s.status] || s.status, counts.records == null ? "" : String(counts.records),
                counts.rejected == null ? "" : String(counts.rejected), view];
      }));
    }).catch(function (error) { say("Could not list submissions: " + error.message, true); });
  }

  function loadSources() {
    return Promise.all([api("GET", providerPath("/sources")), api("GET", providerPath("/pulls?limit=10"))])
      .then(function (results) {
        fillTable("sources-table", "sources-empty", results[0].sources.map(function (s) {
          var schedule = s.schedule.cron ? "cron " + s.schedule.cron + " (UTC)" : "every " + s.schedule.interval_minutes + " minutes";
          return [s.id, s.url, schedule, s.mode, s.enabled ? "Yes" : "Stopped"];
        }));
        fillTable("pulls-table", "pulls-empty", results[1].pulls.map(function (p) {
          return [when(p.started_at), p.source_id, p.outcome, p.submission_id ? String(p.submission_id) : "", p.error || ""];
        }));
      }).catch(function (error) { say("Could not list feed addresses: " + error.message, true); });
  }

  function loadAll() {
    if (!providerId()) return;
    loadSubmissions();
    loadSources();
  }

  function saveSource(event) {
    event.preventDefault();
    fieldError("source", "");
    var id = $("source-id").value.trim();
    var url = $("source-url").value.trim();
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(id)) { fieldError("source", "Give the feed a name of lower-case letters, digits and dashes."); $("source-id").focus(); return; }
    if (!/^https?:\/\//.test(url)) { fieldError("source", "Enter the feed's full address, starting with https://"); $("source-url").focus(); return; }
    var choice = $("source-schedule").value;
    var schedule = {};
    if (choice === "custom") schedule.cron = $("source-cron").value.trim();
    else if (choice.indexOf("cron:") === 0) schedule.cron = choice.slice(5);
    else schedule.interval_minutes = parseInt(choice.slice(9), 10);
    var body = { url: url, mode: $("source-mode").value, schedule: schedule };
    if ($("source-format").value) body.format = $("source-format").value;
    api("PUT", providerPath("/sources/" + encodeURIComponent(id)), {
      body: JSON.stringify(body), headers: { "Content-Type": "application/json" }
    }).then(function (source) {
      say("Feed address “" + source.id + "” saved.");
      loadSources();
    }).catch(function (error) { fieldError("source", "Not saved: " + error.message); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("signin-form").addEventListener("submit", function (event) {
      event.preventDefault();
      fieldError("api-key", "");
      var key = $("api-key").value.trim();
      if (!key) { fieldError("api-key", "Enter your provider API key."); return; }
      signIn(key, false);
    });
    $("signout").addEventListener("click", signOut);
    $("upload-form").addEventListener("submit", check);
    $("submit-button").addEventListener("click", submit);
    $("cancel-button").addEventListener("click", function () {
      $("check-panel").hidden = true;
      state.checked = null;
      $("feed-file").focus();
    });
    $("refresh-submissions").addEventListener("click", loadSubmissions);
    $("source-form").addEventListener("submit", saveSource);
    $("source-schedule").addEventListener("change", function () {
      $("source-cron-field").hidden = $("source-schedule").value !== "custom";
    });
    $("admin-provider").addEventListener("change", loadAll);
    var saved = sessionStorage.getItem(STORE);
    if (saved) signIn(saved, true);
  });
})();
