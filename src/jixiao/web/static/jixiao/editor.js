// The form editor: rows added, removed and reordered; scores and findings re-evaluated as the user types.
// The server does all scoring (jixiao.services.evaluate); this script only posts the fields and shows the answer.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) return;
  var url = form.dataset.evaluate;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var pending = null;
  var severityLabel = { error: "错误", warning: "警告", info: "提示" };

  function renumber(tbody, prefix) {
    Array.prototype.forEach.call(tbody.querySelectorAll("tr[data-row]"), function (tr, n) {
      tr.querySelectorAll("input, textarea, select").forEach(function (el) {
        if (!el.name) return;
        var name = el.name.replace(new RegExp("^" + prefix + "-\\d+-"), prefix + "-" + n + "-");
        if (el.id === el.name) el.id = name;
        el.name = name;
      });
    });
  }

  // A box of several lines as tall as its text (names and reasons wrap instead of being cut off).
  function grow(el) {
    el.style.height = "auto";
    el.style.height = el.scrollHeight + el.offsetHeight - el.clientHeight + "px";
  }
  function growAll() { form.querySelectorAll("textarea[data-grow]").forEach(grow); }
  // A column that narrows (the window, or hints shown in the row) wraps the text anew: grow again.
  var widths = new WeakMap();
  var watcher = window.ResizeObserver && new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var width = entry.target.clientWidth;
      if (widths.get(entry.target) !== width) { widths.set(entry.target, width); grow(entry.target); }
    });
  });
  function watch(el) { if (watcher) watcher.observe(el); }
  form.querySelectorAll("textarea[data-grow]").forEach(watch);
  form.addEventListener("input", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-single-line") && /[\r\n]/.test(el.value)) {
      el.value = el.value.replace(/\s*[\r\n]+\s*/g, " ");  // a pasted name stays one line
    }
    if (el.hasAttribute && el.hasAttribute("data-grow")) grow(el);
  });
  // A name is one line that wraps: Enter adds no line break in it (the reason takes new lines).
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.hasAttribute("data-single-line") && !event.defaultPrevented) {
      event.preventDefault();
    }
  });
  window.addEventListener("resize", growAll);
  growAll();

  function prefixOf(table) { return table.id === "categories" ? "cat" : "ind"; }

  function addRow(table) {
    var tbody = table.tBodies[0];
    var last = tbody.querySelector("tr[data-row]:last-child");
    var row = last.cloneNode(true);
    row.querySelectorAll("input, textarea").forEach(function (el) {
      // Keep the level names (and the goal block) of the row above: a new indicator usually belongs to the same group.
      if (!/-(level[12]|block)$/.test(el.name)) el.value = "";
      el.classList.remove("invalid", "mark-error", "mark-warning", "mark-info");
      el.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".field-error, .badge").forEach(function (el) { el.remove(); });
    row.querySelectorAll("[data-computed-score]").forEach(function (el) { el.textContent = ""; });
    tbody.appendChild(row);
    renumber(tbody, prefixOf(table));
    var first = row.querySelector("input:not([type=hidden]), textarea");
    if (/-level[12]$/.test(first.name)) first = row.querySelector("[name$='-name']") || first;
    row.querySelectorAll("textarea[data-grow]").forEach(function (el) { grow(el); watch(el); });
    first.focus();
    schedule();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var table = button.dataset.add ? document.getElementById(button.dataset.add) : button.closest("table");
    if (button.dataset.add) { addRow(table); return; }
    var row = button.closest("tr");
    var tbody = table && table.tBodies[0];
    if (!row || !tbody) return;
    if (button.hasAttribute("data-remove")) {
      if (tbody.querySelectorAll("tr[data-row]").length === 1) {
        row.querySelectorAll("input, textarea").forEach(function (el) { el.value = ""; });
      } else {
        var next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        if (next) (next.querySelector("button[data-remove]") || next.querySelector("input, textarea")).focus();
      }
    } else if (button.hasAttribute("data-up") && row.previousElementSibling) {
      tbody.insertBefore(row, row.previousElementSibling);
      button.focus();
    } else if (button.hasAttribute("data-down") && row.nextElementSibling) {
      tbody.insertBefore(row.nextElementSibling, row);
      button.focus();
    } else {
      return;
    }
    renumber(tbody, prefixOf(table));
    schedule();
  });

  form.addEventListener("change", function (event) {
    if (event.target.name === "phase") form.className = form.className.replace(/phase-\w+/, "phase-" + event.target.value);
    schedule();
  });
  form.addEventListener("input", schedule);

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(evaluate, 300);
  }

  function evaluate() {
    if (pending) pending.abort();
    pending = new AbortController();
    form.classList.add("evaluating");
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      credentials: "same-origin",
      signal: pending.signal
    }).then(function (response) { return response.json(); })
      .then(show)
      .catch(function (error) { if (error.name !== "AbortError") setText("live-counts", "暂时无法计算"); })
      .finally(function () { form.classList.remove("evaluating"); });
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  function num(text) {
    if (text === null || text === undefined || text === "") return "–";
    var n = Number(text);
    return isNaN(n) ? text : String(Math.round(n * 100) / 100);
  }

  function show(data) {
    if (!data.scorecard) { setText("live-counts", "表单内容有误"); return; }
    var sc = data.scorecard;
    setText("live-fund", num(sc.fund_score));
    setText("live-sum", num(sc.indicator_sum));
    setText("live-total", num(sc.total));
    setText("live-grade", sc.grade || (sc.grade_withheld ? "未评级（" + sc.grade_withheld + "）" : "–"));
    setText("live-profile", "评分规则：" + (data.profile_title || data.profile));
    setText("live-counts", "错误 " + data.counts.error + " · 警告 " + data.counts.warning + " · 提示 " + data.counts.info);
    document.getElementById("live").dataset.total = sc.total || "";

    var rows = document.querySelectorAll("#indicators tbody tr[data-row]");
    rows.forEach(function (tr) { tr.querySelector("[data-computed-score]").textContent = ""; });
    sc.indicators.forEach(function (s) {
      var n = data.indicator_rows[s.index];
      var tr = rows[n];
      if (!tr) return;
      var cell = tr.querySelector("[data-computed-score]");
      cell.textContent = s.score === null ? "" : num(s.score);
      cell.title = s.formula;
    });
    var rate = sc.execution_rate === null ? "" : "执行率 " + (Number(sc.execution_rate) * 100).toFixed(2) + "%";
    document.querySelectorAll("[data-computed-fund]").forEach(function (cell) {
      cell.textContent = cell.dataset.computedFund === "total" ? [rate, sc.fund_score === null ? "" : "得分 " + num(sc.fund_score)].join(" ") : "";
      cell.title = data.words.execution + "\n" + data.words.fund;
    });

    form.querySelectorAll(".mark-error, .mark-warning, .mark-info").forEach(function (el) {
      el.classList.remove("mark-error", "mark-warning", "mark-info");
    });
    var list = document.getElementById("live-findings");
    list.innerHTML = "";
    data.findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "sev-" + f.severity;
      li.dataset.code = f.code;
      var badge = document.createElement("strong");
      badge.textContent = f.code + " " + severityLabel[f.severity];
      li.appendChild(badge);
      li.appendChild(document.createTextNode(" " + f.message + (f.expected ? "（应为 " + f.expected + "）" : "")));
      list.appendChild(li);
      var input = inputFor(f.location, data.indicator_rows);
      if (input) input.classList.add("mark-" + f.severity);
    });
    if (!data.findings.length) {
      var ok = document.createElement("li");
      ok.textContent = "没有发现问题。";
      list.appendChild(ok);
    }
  }

  function inputFor(location, indicatorRows) {
    var field = location.field || "";
    if (location.block === "indicators" && location.index !== undefined) {
      return form.querySelector("[name='ind-" + indicatorRows[location.index] + "-" + field + "']");
    }
    if (location.block === "funds" && location.index !== undefined) {
      return form.querySelector("[name='fund-" + location.index + "-" + field + "']");
    }
    if (location.block === "total") return document.getElementById("total-score");
    return null;
  }

  evaluate();
})();
