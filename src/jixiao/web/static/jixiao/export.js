// Batch export progress: poll the job until the zip is written, then show its download link.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var text = document.getElementById("export-progress-text");
  var ready = document.getElementById("export-ready");
  var error = document.getElementById("export-error");
  function show(s) {
    bar.value = s.progress;
    bar.textContent = s.progress + "%";
    text.textContent = s.done + "/" + s.total + " · " + s.label;
    if (s.status === "done") {
      document.getElementById("export-download").href = s.download;
      ready.hidden = false;
    } else if (s.status === "failed") {
      error.textContent = s.error || "导出失败。";
      error.hidden = false;
    }
    var waiting = document.getElementById("export-waiting");
    if (waiting && s.status !== "pending" && s.status !== "running") waiting.hidden = true;
    box.dataset.status = s.status;
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        show(s);
        if (s.status === "pending" || s.status === "running") setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (box.dataset.status === "pending" || box.dataset.status === "running") setTimeout(poll, 500);
})();
