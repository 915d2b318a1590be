// Print buttons (data-print): a script file, not an inline handler, so the Content-Security-Policy
// can forbid inline script.
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
