// The indicator library in an editor: typing a level-3 name offers library entries (explanation, usual operator
// and unit, peers' median target); choosing one fills the row; every row shows how its target compares with the
// peers and with the unit's own last year, and the library's checks (T10, T11, L01–L03).
//
// Include it after the editor with the endpoints on the script tag:
//   <script src=".../library/suggest.js" data-suggest="/api/library/suggest" data-compare="/api/library/compare"
//           data-form="<stored form id or empty>" defer></script>
// It works on any <form> holding a table of indicator rows whose inputs are named <prefix>-<n>-level1/level2/
// name/target (the self-evaluation editor's #indicators; a target editor can use the same names, or mark its
// table with data-library-rows).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var suggestUrl = script.dataset.suggest;
  var compareUrl = script.dataset.compare;
  var formId = script.dataset.form || "";
  var table = document.querySelector("table[data-library-rows]") || document.getElementById("indicators");
  if (!table || !suggestUrl) return;
  var sheet = document.createElement("link");  // the styles live beside this file: one tag to include
  sheet.rel = "stylesheet";
  sheet.href = script.src.replace(/suggest\.js(\?.*)?$/, "library.css");
  document.head.appendChild(sheet);
  var form = table.closest("form");
  var csrfInput = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  var box = null, boxInput = null, items = [], active = -1, timer = null, compareTimer = null, pending = null;

  function field(row, key) { return row.querySelector("[name$='-" + key + "']"); }
  function value(name) { var el = form.querySelector("[name='" + name + "']"); return el ? el.value : ""; }
  function isNameInput(el) { return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA") && /-name$/.test(el.name) && table.contains(el); }

  function close() {
    if (box) box.remove();
    if (boxInput) { boxInput.setAttribute("aria-expanded", "false"); boxInput.removeAttribute("aria-activedescendant"); }
    box = null; boxInput = null; items = []; active = -1;
  }

  function text(tag, cls, content) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = content;
    return el;
  }

  function show(input, found) {
    close();
    if (!found.length) return;
    box = document.createElement("ul");
    box.className = "library-suggest";
    box.id = "library-suggest";
    box.setAttribute("role", "listbox");
    box.setAttribute("aria-label", "指标库推荐");
    found.forEach(function (e, n) {
      var li = document.createElement("li");
      li.id = "library-suggest-" + n;
      li.setAttribute("role", "option");
      li.dataset.code = e.code;
      li.appendChild(text("strong", "", e.name));
      li.appendChild(text("span", "meta", " " + [e.level2, (e.op || "") + (e.unit || ""), e.common ? "共性" : ""]
        .filter(Boolean).join(" · ")));
      if (e.median_target) li.appendChild(text("span", "median", " 同类目标中位数 " + e.median_target + "（" + e.units + " 个单位）"));
      if (e.explanation) li.appendChild(text("div", "explain", e.explanation));
      li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(n); });
      box.appendChild(li);
    });
    input.parentNode.appendChild(box);
    input.setAttribute("aria-expanded", "true");
    input.setAttribute("aria-controls", "library-suggest");
    boxInput = input;
    items = found;
  }

  function highlight(n) {
    if (!box) return;
    var options = box.querySelectorAll("[role=option]");
    active = (n + options.length) % options.length;
    options.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
    boxInput.setAttribute("aria-activedescendant", options[active].id);
  }

  function set(input, v) {
    if (!input || input.value === v) return;
    input.value = v;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function pick(n) {
    var e = items[n], input = boxInput;
    if (!e || !input) return;
    var row = input.closest("tr");
    close();
    if (e.level1) set(field(row, "level1"), e.level1);
    if (e.level2) set(field(row, "level2"), e.level2);
    set(input, e.name);
    var target = field(row, "target");
    if (target && !target.value && e.kind === "定量") {
      if (e.median_target) set(target, (e.op || "") + e.median_target);
      else target.placeholder = (e.op || "") + "…" + (e.unit || "");
    }
    row.dataset.libraryCode = e.code;
    input.focus();
    scheduleCompare();
  }

  function lookup(input) {
    var row = input.closest("tr");
    var q = input.value.trim();
    if (!q) { close(); return; }
    var params = new URLSearchParams({ q: q, level2: (field(row, "level2") || {}).value || "", year: value("year") });
    fetch(suggestUrl + "?" + params, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) { if (document.activeElement === input) show(input, data.items || []); })
      .catch(function () { close(); });
  }

  table.addEventListener("input", function (event) {
    if (!isNameInput(event.target) || !event.isTrusted) return;
    var input = event.target;
    clearTimeout(timer);
    timer = setTimeout(function () { lookup(input); }, 200);
  });
  table.addEventListener("keydown", function (event) {
    if (!box || event.target !== boxInput) return;
    if (event.key === "ArrowDown") { highlight(active + 1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { highlight(active - 1); event.preventDefault(); }
    else if (event.key === "Enter" && active >= 0) { pick(active); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
  });
  table.addEventListener("focusout", function (event) { if (event.target === boxInput) setTimeout(close, 150); });

  // ---------------------------------------------------------------- comparisons with peers and last year

  function scheduleCompare() {
    clearTimeout(compareTimer);
    compareTimer = setTimeout(compare, 500);
  }

  function compare() {
    if (!compareUrl) return;
    if (pending) pending.abort();
    pending = new AbortController();
    var body = new FormData(form);
    if (formId) body.set("form_id", formId);
    fetch(compareUrl, {
      method: "POST", body: body, credentials: "same-origin", signal: pending.signal,
      headers: { "X-CSRFToken": csrfInput ? csrfInput.value : "", Accept: "application/json" }
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) showComparisons(data); })
      .catch(function () { /* aborted or offline: keep what is shown */ });
  }

  function describe(row) {
    if (!row.entry) return "";
    var parts = [];
    var p = row.peers;
    if (p) parts.push("同类 " + p.units + " 个单位目标中位数 " + p.median + p.measure + "（" + p.q1 + "–" + p.q3 + p.measure + "）");
    else parts.push("暂无同类单位的目标");
    if (row.last_year) parts.push("本单位 " + row.last_year.year + " 年：目标 " + (row.last_year.target || "–") + "，实际 " + (row.last_year.actual || "–"));
    if (row.position) parts.push(row.position);
    return "指标库 " + row.entry.code + "：" + parts.join("；");
  }

  function showComparisons(data) {
    var trs = table.querySelectorAll("tbody tr");
    var map = data.indicator_rows || null;
    trs.forEach(function (tr) { tr.querySelectorAll(".library-compare").forEach(function (el) { el.remove(); }); });
    var byRow = {};
    (data.findings || []).forEach(function (f) {
      var i = f.location && f.location.index;
      if (i === undefined || i === null) return;
      (byRow[i] = byRow[i] || []).push(f);
    });
    data.rows.forEach(function (row) {
      var n = map ? map[row.index] : row.index;
      var tr = trs[n];
      if (!tr || !row.entry) return;
      var target = field(tr, "target");
      var note = text("div", "library-compare", describe(row));
      note.dataset.code = row.entry.code;
      (byRow[row.index] || []).forEach(function (f) {
        note.appendChild(text("div", "sev-" + f.severity, f.code + " " + f.message));
      });
      (target ? target.parentNode : tr.lastElementChild).appendChild(note);
    });
    var general = document.getElementById("library-findings");
    var missing = (data.findings || []).filter(function (f) { return !f.location || f.location.index === undefined; });
    if (!general) {
      general = document.createElement("ul");
      general.id = "library-findings";
      general.className = "library-findings";
      table.parentNode.insertBefore(general, table);
    }
    general.innerHTML = "";
    missing.forEach(function (f) { general.appendChild(text("li", "sev-" + f.severity, f.code + " " + f.message)); });
  }

  form.addEventListener("input", function (event) {
    if (event.target.name && /-(name|target|level2)$|^year$/.test(event.target.name)) scheduleCompare();
  });
  form.addEventListener("change", function (event) { if (event.target.name === "unit_id") scheduleCompare(); });
  compare();
})();
