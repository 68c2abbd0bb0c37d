// The bell in the header asks for its count every few seconds (htmx, hx-trigger "every Ns");
// not while the tab is hidden, and once as soon as it is shown again. An hx-trigger filter
// ("[!document.hidden]") would need eval, which the Content-Security-Policy forbids.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (event) {
    var bell = event.target;
    if (document.hidden && bell.hasAttribute && bell.hasAttribute("data-bell")) {
      event.preventDefault();
    }
  });
})();
