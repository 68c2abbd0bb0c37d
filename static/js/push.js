// The account page's "Turn on pushes on this device": ask the browser's permission, subscribe
// with the site's VAPID public key and send the subscription to POST /api/push-subscriptions.
(function () {
  "use strict";
  var card = document.getElementById("push-card");
  if (!card) return;
  var button = document.getElementById("push-subscribe");
  var state = document.getElementById("push-state");
  var csrf = card.querySelector('input[name="csrfmiddlewaretoken"]').value;

  function say(text) { state.textContent = text; }

  // base64url (the VAPID key as the server gives it) to the bytes pushManager wants.
  function keyBytes(text) {
    var base64 = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function known(subscription) {
    return Array.prototype.some.call(card.querySelectorAll("tr[data-endpoint]"), function (row) {
      return row.getAttribute("data-endpoint") === subscription.endpoint;
    });
  }

  function send(subscription) {
    return fetch(card.getAttribute("data-subscribe-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(subscription.toJSON()),
    }).then(function (response) {
      if (response.ok) return response.json();
      return response.json().then(function (answer) {
        throw new Error(answer.detail || "the server refused it (" + response.status + ")");
      });
    });
  }

  function subscribe() {
    button.disabled = true;
    say("Asking your browser…");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("the browser's permission was not given");
      return navigator.serviceWorker.register("/sw.js", { scope: "/" });
    }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(card.getAttribute("data-vapid-key")),
        });
      });
    }).then(send).then(function () {
      say("Pushes are on for this device.");
      window.location.reload();
    }).catch(function (error) {
      say("Pushes are not on: " + error.message + ".");
      button.disabled = false;
    });
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say(window.isSecureContext
      ? "This browser cannot receive web pushes (on an iPhone: add the site to the home screen and open it from there)."
      : "Web pushes need the site to be opened over https.");
    return;
  }
  if (Notification.permission === "denied") {
    say("Notifications are blocked for this site in the browser's settings.");
    return;
  }
  navigator.serviceWorker.ready.then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (subscription) {
    if (subscription && known(subscription)) {
      say("This device gets pushes.");
    } else {
      say("");
      button.hidden = false;
    }
  });
  button.addEventListener("click", subscribe);
})();
