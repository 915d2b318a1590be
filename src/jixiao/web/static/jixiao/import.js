// Import progress: poll the job until the background reading is done, then show the preview.
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
        if (s.status === "pending" || s.status === "reading") setTimeout(poll, 1000);
        else window.location.reload();
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
