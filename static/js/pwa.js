// The installable site: every page registers the service worker (/sw.js, scope "/"), which
// shows web pushes and opens their page. Without it the site works the same, just no pushes.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (error) {
    console.warn("Seedbox: the service worker was not registered:", error);
  });
})();
