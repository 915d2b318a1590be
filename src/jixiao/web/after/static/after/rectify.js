// 新建整改事项: a click on one of the form's problems fills the 问题 field with it (no inline handlers: CSP).
(function () {
  "use strict";
  var target = document.getElementById("problem");
  if (!target) { return; }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-fill]");
    if (!button) { return; }
    target.value = button.textContent;
    target.focus();
  });
})();
