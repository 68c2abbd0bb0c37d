{% load static %}// Seedbox's service worker, served at /sw.js so that its scope is the whole site: it shows
// each web push (title, body and url from the JSON the server encrypted for this browser) and
// opens or focuses that page when the notification is clicked. It caches nothing.
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  var data = {};
  if (event.data) {
    try { data = event.data.json(); } catch (error) { data = { body: event.data.text() }; }
  }
  var options = {
    body: data.body || "",
    icon: "{% static 'icons/icon-192.png' %}",
    badge: "{% static 'icons/icon-192.png' %}",
    data: { url: data.url || "/" },
  };
  // A push sent twice (delivery is at least once) replaces the first instead of adding a second.
  if (data.id) options.tag = "seedbox-" + data.id;
  event.waitUntil(self.registration.showNotification(data.title || "Seedbox", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i += 1) {
      if (windows[i].url === url && "focus" in windows[i]) return windows[i].focus();
    }
    for (var j = 0; j < windows.length; j += 1) {
      var client = windows[j];
      if (new URL(client.url).origin === self.location.origin && "navigate" in client) {
        return client.focus().then(function (focused) { return focused.navigate(url); });
      }
    }
    return self.clients.openWindow(url);
  }));
});
