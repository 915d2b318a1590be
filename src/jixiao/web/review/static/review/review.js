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
