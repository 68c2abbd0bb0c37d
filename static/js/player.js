// The torrent page's player: one, above the file table and as wide as it. A file's Play button
// shows only when the browser says it can play that type (canPlayType); a file that turns out
// not to hold what its name says gets a message and its download link instead of a dead player.
(function () {
  "use strict";

  function panelParts() {
    var panel = document.getElementById("player");
    if (!panel) return null;
    return {
      panel: panel,
      title: panel.querySelector("#player-title"),
      slot: panel.querySelector("[data-player-slot]"),
      error: panel.querySelector("[data-player-error]"),
      download: panel.querySelector("[data-player-download]"),
    };
  }

  function offerPlayable(root) {
    root.querySelectorAll("button[data-play]").forEach(function (button) {
      var probe = document.createElement(button.dataset.kind === "video" ? "video" : "audio");
      button.hidden = !(probe.canPlayType && probe.canPlayType(button.dataset.type));
    });
  }

  function stop(parts) {
    parts.slot.querySelectorAll("audio, video").forEach(function (media) {
      media.pause();
      media.removeAttribute("src");
      media.load();
    });
    parts.slot.replaceChildren();
  }

  function play(button) {
    var parts = panelParts();
    if (!parts) return;
    stop(parts);
    var media = document.createElement(button.dataset.kind === "video" ? "video" : "audio");
    media.controls = true;
    media.autoplay = true;
    media.preload = "metadata";
    media.setAttribute("aria-label", button.dataset.name);
    media.addEventListener("error", function () {
      stop(parts);
      parts.error.hidden = false;
    });
    media.src = button.dataset.play;
    parts.title.textContent = button.dataset.name;
    parts.download.href = button.dataset.play;
    parts.error.hidden = true;
    parts.slot.appendChild(media);
    parts.panel.hidden = false;
    parts.panel.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-play]");
    if (button) {
      play(button);
      return;
    }
    if (event.target.closest && event.target.closest("[data-player-close]")) {
      var parts = panelParts();
      if (parts) {
        stop(parts);
        parts.panel.hidden = true;
      }
    }
  });
  document.addEventListener("DOMContentLoaded", function () { offerPlayable(document); });
  document.addEventListener("htmx:afterSettle", function (event) { offerPlayable(event.target); });
})();
