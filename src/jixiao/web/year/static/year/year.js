// Live checks of the year's editors, 400 ms after the last change: the fields (named by record path) are
// sent as a record — the declaration's to /api/year/check/target (T-checks), the monitoring form's with its
// id to /api/year/check/monitor (M-checks against the approved target) — and the findings list is redrawn.
(function () {
  "use strict";
  var form = document.getElementById("target-editor") || document.getElementById("monitor-editor");
  if (!form) { return; }
  var monitoring = form.id === "monitor-editor";
  var list = document.getElementById("findings");
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var timer = null;

  function put(record, path, value) {
    var steps = [];
    path.replace(/([^.\[\]]+)|\[(\d+)\]/g, function (_, key, index) { steps.push(index !== undefined ? +index : key); });
    var node = record;
    for (var i = 0; i < steps.length - 1; i++) {
      var step = steps[i], next = steps[i + 1];
      if (node[step] === undefined) { node[step] = typeof next === "number" ? [] : {}; }
      node = node[step];
    }
    node[steps[steps.length - 1]] = value;
  }

  function fields() {
    var r = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && /^[a-z_]+/.test(el.name) && el.name !== "submit") { put(r, el.name, el.value); }
    });
    r.indicators = (r.indicators || []).map(function (i) { return i || {}; });
    r.funds = (r.funds || []).map(function (f) { return f || {}; });
    return r;
  }

  function record() {
    var r = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !/^[a-z_]+/.test(el.name) || el.name === "unit_id" || el.name === "edit") { return; }
      put(r, el.name, el.type === "checkbox" ? el.checked : el.value);
    });
    var year = parseInt(r.year, 10);
    r.year = isNaN(year) ? null : year;
    ["medium", "annual"].forEach(function (s) {
      r.goals = r.goals || {};
      r.goals[s] = String((r.goals || {})[s] || "").split("\n").map(function (g) { return g.trim(); }).filter(Boolean);
      r.funds = r.funds || {};
      r.funds[s] = (r.funds[s] || []).filter(function (f) { return f && String(f.amount || "").trim(); });
    });
    r.indicators = (r.indicators || []).filter(function (i) { return i && (String(i.name || "").trim() || String(i.target || "").trim()); });
    return r;
  }

  function show(findings) {
    list.textContent = "";
    if (!findings.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "未发现问题";
      list.appendChild(none);
    }
    findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "sev-" + f.severity;
      var code = document.createElement("strong");
      code.textContent = f.code;
      li.appendChild(code);
      li.appendChild(document.createTextNode(" " + f.message));
      list.appendChild(li);
    });
  }

  function check() {
    fetch(form.dataset.check, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(monitoring ? {monitor: fields(), id: +form.dataset.id} : {target: record()})
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.findings) { show(data.findings); }
    }).catch(function () {});
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
})();
