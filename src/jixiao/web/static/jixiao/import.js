// The preview's choices go as one field ("3:replace,7:skip"): a preview of thousands of forms would
// otherwise post a field per form and meet Django's limit of 1,000 fields.
(function () {
  "use strict";
  var form = document.getElementById("import-confirm");
  if (!form) return;
  form.addEventListener("submit", function () {
    var chosen = [];
    form.querySelectorAll("[data-action-index]").forEach(function (input) {
      if (input.checked) chosen.push(input.dataset.actionIndex + ":" + input.value);
      input.disabled = true;  // not posted one by one
    });
    form.elements.decisions.value = chosen.join(",");
  });
})();

// Import progress: poll the job until the background reading is done (files, forms found, errors and
// unreadable files so far, without a reload), then show the preview.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var text = document.getElementById("progress-text");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.progress;
        text.textContent = s.done + "/" + s.total + " · " + s.label;
        [["progress-files", s.done + "/" + s.total], ["progress-forms", s.forms],
         ["progress-errors", s.errors], ["progress-problems", s.problems]].forEach(function (pair) {
          var node = document.getElementById(pair[0]);
          if (node) node.textContent = pair[1];
        });
        if (s.status === "pending" || s.status === "reading") setTimeout(poll, 1000);
        else window.location.reload();
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
