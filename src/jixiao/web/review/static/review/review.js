// Click a cell of the paper form to choose it for a cell comment (the select stays usable by keyboard).
(function () {
  "use strict";
  var select = document.getElementById("field");
  if (!select) { return; }
  document.querySelectorAll(".paper-table td[data-field]").forEach(function (td) {
    td.addEventListener("click", function () {
      var path = td.getAttribute("data-field");
      if (!select.querySelector('option[value="' + path + '"]')) { return; }
      select.value = path;
      document.querySelectorAll(".paper-table td.picked").forEach(function (x) { x.classList.remove("picked"); });
      td.classList.add("picked");
      var box = document.getElementById("cell_comment");
      if (box) { box.focus(); }
    });
  });
})();

// The review list's batch: tick forms (or the whole page), then one button for all; the buttons wait
// until a form is ticked, and the count says how many will be handled.
(function () {
  "use strict";
  var form = document.getElementById("batch-form");
  if (!form) { return; }
  var picks = document.querySelectorAll(".batch-pick");
  var all = document.getElementById("batch-all");
  var count = document.getElementById("batch-count");
  function update() {
    var n = 0;
    picks.forEach(function (p) { if (p.checked) { n += 1; } });
    count.textContent = String(n);
    form.querySelectorAll("button[name=action]").forEach(function (b) { b.disabled = n === 0; });
    if (all) { all.checked = n > 0 && n === picks.length; }
  }
  picks.forEach(function (p) { p.addEventListener("change", update); });
  if (all) {
    all.addEventListener("change", function () {
      picks.forEach(function (p) { p.checked = all.checked; });
      update();
    });
  }
  update();
})();
