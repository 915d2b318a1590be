// The list: "select all" for the checkboxes of the current page.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = all.checked; });
  });
})();
