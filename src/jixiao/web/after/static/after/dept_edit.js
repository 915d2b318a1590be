// 部门整体自评表 editor: add a fund, input or indicator row from its blank template, remove a row (a kept row is
// named in a hidden "remove" field, so the server drops it on save). No inline handlers: the CSP forbids them.
(function () {
  "use strict";
  var form = document.getElementById("dept-edit");
  if (!form) { return; }
  var added = 0;
  function lastOf(block) {
    var rows = form.querySelectorAll('tr[data-block="' + block + '"]');
    return rows.length ? rows[rows.length - 1] : form.querySelector('tr[data-anchor="' + block + '"]');
  }
  form.addEventListener("click", function (event) {
    var remove = event.target.closest("button[data-remove]");
    if (remove) {
      var ref = remove.getAttribute("data-remove");
      if (ref.indexOf("[+") === -1) {
        var gone = document.createElement("input");
        gone.type = "hidden";
        gone.name = "remove";
        gone.value = ref;
        form.appendChild(gone);
      }
      var row = remove.closest("tr");
      row.parentNode.removeChild(row);
      return;
    }
    var add = event.target.closest("button[data-add]");
    if (!add) { return; }
    var block = add.getAttribute("data-add");
    var template = document.getElementById("new-" + block);
    var after = lastOf(block);
    if (!template || !after) { return; }
    added += 1;
    var holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.split("__n__").join(String(added));
    var fresh = holder.querySelector("tr");
    after.parentNode.insertBefore(fresh, after.nextSibling);
    var first = fresh.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  });
})();
