// The player page (templates/media/player.html). It asks the playback API how to play the file
// (api-media-playback) and plays it: the file itself when the server says the browser can and
// canPlayType agrees; otherwise HLS through hls.js (MediaSource), or the browser's own HLS
// where there is no MediaSource (iOS). Subtitles become <track> elements, audio renditions a
// menu. Where the user is gets saved (~10 s while playing, on pause, on leaving) and offered
// back next time; at the end the next episode opens (if asked) or the album's next track plays.
(function () {
  "use strict";

  var SAVE_EVERY_MS = 10000;
  var HLS_TYPE = "application/vnd.apple.mpegurl";

  var root = document.getElementById("media-player");
  if (!root) return;
  var media = document.getElementById("media-element");
  var statusLine = document.getElementById("media-status");
  var errorBox = document.getElementById("media-error");
  var csrf = root.querySelector('input[name="csrfmiddlewaretoken"]').value;
  var hls = null;
  var current = {
    playbackUrl: root.dataset.playbackUrl,
    positionUrl: root.dataset.positionUrl,
    duration: null,
  };
  var lastSaved = -1;

  function clock(seconds) {
    var whole = Math.floor(seconds);
    var h = Math.floor(whole / 3600);
    var m = Math.floor((whole % 3600) / 60);
    var s = whole % 60;
    var mm = (h && m < 10 ? "0" : "") + m;
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }

  function say(text) {
    statusLine.textContent = text;
  }

  function fail(reason) {
    say("");
    errorBox.querySelector("[data-reason]").textContent = reason;
    errorBox.hidden = false;
  }

  // --- where the user is ----------------------------------------------------------------------
  // ffprobe's duration first: while ffmpeg still works, an HLS element knows only what is made.
  function duration() {
    if (current.duration) return current.duration;
    return isFinite(media.duration) && media.duration > 0 ? media.duration : null;
  }

  function savePosition(leaving) {
    if (!current.positionUrl || !(media.currentTime >= 0)) return;
    var position = media.currentTime;
    if (Math.abs(position - lastSaved) < 0.5) return;
    lastSaved = position;
    var total = duration();
    if (total && position > total) position = total;
    fetch(current.positionUrl, {
      method: "PUT",
      credentials: "same-origin",
      keepalive: !!leaving,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ position_seconds: position, duration_seconds: total || null }),
    }).catch(function () { /* the next save tries again */ });
  }

  // hls.js starts there itself (startPosition); the other ways seek once the metadata is in.
  function offerResume(seconds, startsThere) {
    var note = document.getElementById("resume-note");
    if (!seconds) return;
    var jump = function () {
      if (!startsThere) media.currentTime = seconds;
      note.querySelector("[data-resume-clock]").textContent = clock(seconds);
      note.hidden = false;
    };
    if (media.readyState >= 1) jump();
    else media.addEventListener("loadedmetadata", jump, { once: true });
    document.getElementById("start-over").addEventListener("click", function () {
      media.currentTime = 0;
      note.hidden = true;
      media.play().catch(function () {});
    }, { once: true });
  }

  // --- the tracks the playback JSON offers ----------------------------------------------------
  function addSubtitles(subtitles) {
    var choice = document.getElementById("subtitle-choice");
    var select = document.getElementById("subtitle-select");
    media.querySelectorAll("track").forEach(function (track) { track.remove(); });
    select.querySelectorAll("option[value]:not([value=''])").forEach(function (o) { o.remove(); });
    (subtitles || []).forEach(function (sub, i) {
      var track = document.createElement("track");
      track.kind = "subtitles";
      track.label = sub.label || sub.language || "Subtitles " + (i + 1);
      if (sub.language) track.srclang = sub.language;
      track.src = sub.url;
      track.dataset.subtitleId = sub.id;
      media.appendChild(track);
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = track.label;
      select.appendChild(option);
    });
    choice.hidden = !(subtitles && subtitles.length);
    select.value = "";
  }

  // By our <track> elements, not media.textTracks' order (hls.js may add caption tracks).
  function showSubtitle(index) {
    media.querySelectorAll("track").forEach(function (element, i) {
      element.track.mode = String(i) === index ? "showing" : "disabled";
    });
  }

  function offerAudioTracks(tracks, pick, selected) {
    var choice = document.getElementById("audio-choice");
    var select = document.getElementById("audio-select");
    select.replaceChildren();
    tracks.forEach(function (track, i) {
      var option = document.createElement("option");
      option.value = String(i);
      var name = track.name || track.label || "Track " + (i + 1);
      var language = track.lang || track.language;
      option.textContent = language ? name + " (" + language + ")" : name;
      select.appendChild(option);
    });
    select.value = String(selected);
    select.onchange = function () { pick(Number(select.value)); };
    choice.hidden = tracks.length < 2;
  }

  function nativeAudioTracks() {
    var list = media.audioTracks;
    if (!list || list.length < 2) return;
    var tracks = Array.prototype.slice.call(list);
    var selected = tracks.findIndex(function (t) { return t.enabled; });
    offerAudioTracks(tracks, function (index) {
      tracks.forEach(function (t, i) { t.enabled = i === index; });
    }, Math.max(selected, 0));
  }

  // Where neither hls.js (one audio rendition per encode) nor the browser (media.audioTracks)
  // offers the file's other audio tracks, say so rather than hide them.
  function noteAudioTracks(count) {
    var note = document.getElementById("audio-note");
    note.hidden = true;
    if (count < 2) return;
    media.addEventListener("loadeddata", function () {
      if (!document.getElementById("audio-choice").hidden) return;
      note.textContent = "This file has " + count + " audio tracks; the player plays the first. " +
        "Download the file to hear the others.";
      note.hidden = false;
    }, { once: true });
  }

  // --- playing --------------------------------------------------------------------------------
  function stop() {
    if (hls) {
      hls.destroy();
      hls = null;
    }
    media.removeAttribute("src");
    media.load();
    document.getElementById("audio-choice").hidden = true;
  }

  function playHls(url, startAt) {
    if (window.Hls && window.Hls.isSupported()) {
      // No worker: it would come from a blob: URL, which the CSP does not allow for scripts.
      // From the start (or the resume point), not the live edge: the playlist is an EVENT one
      // that grows while ffmpeg works.
      hls = new window.Hls({ enableWorker: false, startPosition: startAt || 0 });
      var player = hls;
      root.dataset.engine = "hls.js";
      var retries = 0;
      hls.on(window.Hls.Events.AUDIO_TRACKS_UPDATED, function (_event, data) {
        // Renditions inside one playlist (EXT-X-MEDIA); one alone leaves the menu as it is.
        if (data.audioTracks.length < 2) return;
        offerAudioTracks(data.audioTracks, function (index) { hls.audioTrack = index; }, hls.audioTrack);
      });
      hls.on(window.Hls.Events.FRAG_LOADED, function () {
        root.dataset.fragments = String(Number(root.dataset.fragments || 0) + 1);
      });
      hls.on(window.Hls.Events.ERROR, function (_event, data) {
        if (!data.fatal) return;
        var status = data.response && data.response.code;
        if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR && status !== 404 && status !== 409 && retries < 10) {
          // 503: the encoder's first segment is not ready yet. Ask again in a moment.
          retries += 1;
          say("Preparing the stream…");
          window.setTimeout(function () {
            if (hls !== player) return; // another track plays now
            if (data.details === window.Hls.ErrorDetails.MANIFEST_LOAD_ERROR) hls.loadSource(url);
            else hls.startLoad();
          }, 1000 * retries);
        } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR && retries < 3) {
          retries += 1;
          hls.recoverMediaError();
        } else if (status === 409) {
          fail("This file is not completely downloaded yet.");
        } else {
          fail("The stream could not be played (" + data.details + ").");
        }
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () { say(""); });
      hls.loadSource(url);
      hls.attachMedia(media);
      return true;
    }
    if (media.canPlayType(HLS_TYPE)) {
      root.dataset.engine = "native-hls";
      media.src = url;
      media.addEventListener("loadedmetadata", nativeAudioTracks, { once: true });
      return true;
    }
    return false;
  }

  // The page was made before the file was first read: the playback JSON knows its duration.
  function showDuration(seconds) {
    var facts = document.getElementById("media-facts");
    if (!facts || !seconds || facts.querySelector("[data-fact='duration']")) return;
    var label = document.createElement("dt");
    label.textContent = "Duration";
    var value = document.createElement("dd");
    value.dataset.fact = "duration";
    value.textContent = clock(seconds);
    facts.append(label, value);
  }

  // The server makes one HLS encode per audio track (each track has its own hls_url, the plain
  // one carries the first): switching loads that playlist and carries on from the same time.
  function offerStreamAudio(playback) {
    var tracks = (playback.audio_tracks || []).filter(function (t) { return t.hls_url; });
    if (tracks.length < 2) return false;
    var labels = tracks.map(function (t, i) {
      return { name: t.title || "Track " + (i + 1), language: t.language };
    });
    var pick = function (index) {
      var at = media.currentTime;
      var playing = !media.paused;
      stop();
      playHls(tracks[index].hls_url, at);
      offerAudioTracks(labels, pick, index);
      if (playing) media.play().catch(function () {});
    };
    offerAudioTracks(labels, pick, 0);
    return true;
  }

  function start(playback, resumeAt, autoplay) {
    current.duration = playback.duration_seconds || null;
    if (!playlist) showDuration(current.duration);
    errorBox.hidden = true;
    addSubtitles(playback.subtitles);
    var direct = playback.direct && playback.type && media.canPlayType(playback.type);
    if (direct) {
      root.dataset.engine = "direct";
      media.src = playback.stream_url;
      media.addEventListener("loadedmetadata", nativeAudioTracks, { once: true });
    } else if (!playback.hls_url || !playHls(playback.hls_url, resumeAt)) {
      fail(playback.kind === "other" ? "This file is not video or audio." : "This browser cannot play this file.");
      return;
    }
    say("");
    var offered = root.dataset.engine === "hls.js" && offerStreamAudio(playback);
    if (!offered) noteAudioTracks((playback.audio_tracks || []).length);
    offerResume(resumeAt, root.dataset.engine === "hls.js");
    if (autoplay) media.play().catch(function () { say("Press play to start."); });
  }

  function load(playbackUrl, resumeAt, autoplay) {
    if (!playbackUrl) {
      fail("Playback is not available on this server.");
      return;
    }
    say("Loading…");
    fetch(playbackUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("the server answered " + response.status);
        return response.json();
      })
      .then(function (playback) { start(playback, resumeAt, autoplay); })
      .catch(function (error) { fail("The file could not be opened: " + error.message + "."); });
  }

  // --- an album plays as a playlist -----------------------------------------------------------
  var playlist = document.getElementById("playlist");

  function playlistItems() {
    return playlist ? Array.prototype.slice.call(playlist.querySelectorAll("li")) : [];
  }

  function playTrack(item) {
    savePosition(false);
    stop();
    playlistItems().forEach(function (li) { li.removeAttribute("aria-current"); });
    item.setAttribute("aria-current", "true");
    current.playbackUrl = item.dataset.playbackUrl;
    current.positionUrl = item.dataset.positionUrl;
    lastSaved = -1;
    document.getElementById("media-title").textContent = item.textContent.trim();
    root.dataset.fileId = item.dataset.fileId;
    history.replaceState(null, "", item.dataset.pageUrl);
    document.getElementById("resume-note").hidden = true;
    load(current.playbackUrl, null, true);
  }

  if (playlist) {
    playlist.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link) return;
      event.preventDefault();
      playTrack(link.closest("li"));
    });
  }

  media.addEventListener("ended", function () {
    savePosition(false);
    var items = playlistItems();
    var at = items.findIndex(function (li) { return li.getAttribute("aria-current") === "true"; });
    if (at >= 0 && at + 1 < items.length) {
      playTrack(items[at + 1]);
      return;
    }
    var auto = document.getElementById("auto-advance");
    if (root.dataset.nextUrl && auto && auto.checked) window.location.assign(root.dataset.nextUrl);
  });

  // --- the page's settings --------------------------------------------------------------------
  function remembered(key, fallback) {
    try {
      var value = window.localStorage.getItem(key);
      return value === null ? fallback : value === "true";
    } catch (e) {
      return fallback;
    }
  }

  function remember(key, value) {
    try { window.localStorage.setItem(key, String(value)); } catch (e) { /* private mode */ }
  }

  var theatre = document.getElementById("theatre-toggle");
  if (theatre) {
    var layout = document.getElementById("player-layout");
    var setTheatre = function (on) {
      layout.classList.toggle("theatre", on);
      theatre.setAttribute("aria-pressed", on ? "true" : "false");
      remember("seedbox.player.theatre", on);
    };
    theatre.addEventListener("click", function () { setTheatre(!layout.classList.contains("theatre")); });
    setTheatre(remembered("seedbox.player.theatre", false));
  }
  var auto = document.getElementById("auto-advance");
  if (auto) {
    auto.checked = remembered("seedbox.player.autoAdvance", true);
    auto.addEventListener("change", function () { remember("seedbox.player.autoAdvance", auto.checked); });
  }
  document.getElementById("subtitle-select").addEventListener("change", function (event) {
    showSubtitle(event.target.value);
  });

  media.addEventListener("pause", function () { if (!media.ended) savePosition(false); });
  window.addEventListener("pagehide", function () { savePosition(true); });
  window.setInterval(function () { if (!media.paused && !media.ended) savePosition(false); }, SAVE_EVERY_MS);

  var resume = parseFloat(root.dataset.resume);
  load(current.playbackUrl, isFinite(resume) ? resume : null, true);
})();
