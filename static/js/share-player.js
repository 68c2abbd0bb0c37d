// A share page's players for what the browser cannot play as it is: the <video>/<audio> with
// data-hls plays that HLS playlist with hls.js (MediaSource), else with the browser's own HLS
// (Safari, iOS). Loaded only when the page has such a player; the playlist is asked on play.
(function () {
  "use strict";
  document.querySelectorAll("[data-hls]").forEach(function (media) {
    var url = media.getAttribute("data-hls");
    var attached = false;
    media.addEventListener("play", function () {
      if (attached) return;
      attached = true;
      if (window.Hls && window.Hls.isSupported()) {
        var hls = new window.Hls({ enableWorker: false });
        hls.loadSource(url);
        hls.attachMedia(media);
        hls.on(window.Hls.Events.MANIFEST_PARSED, function () { media.play(); });
      } else if (media.canPlayType("application/vnd.apple.mpegurl")) {
        media.src = url;
        media.play();
      }
    });
  });
})();
