// The add page's one drop zone. It takes anything (.torrent files, data files, folders, magnet
// links and .torrent URLs), works out the way in, asks the server what it would refuse before
// sending any data (POST /api/torrents/check: names, trackers, count, quota against the sizes
// the browser knows), and only then uploads with the API, showing the progress. A refusal, at
// the check or after the upload, keeps everything selected: nothing reloads the page.
(function () {
  "use strict";

  // Run on load, and again when htmx swaps the page's main part in (a classic form's answer).
  function init() {
    var zone = document.querySelector("[data-drop]");
    if (!zone || zone.dataset.ready) return;
    zone.dataset.ready = "1";
    zone.hidden = false;
    var classic = document.querySelector("[data-classic]");
    // Folded away, unless a classic form's answer put its errors there.
    if (classic && !classic.querySelector(".errorlist")) classic.open = false;
    dropZone(zone);
  }
  init();
  document.addEventListener("htmx:afterSettle", init);

  function dropZone(zone) {

  function $(id) { return document.getElementById(id); }
  var csrf = zone.querySelector('input[name="csrfmiddlewaretoken"]').value;
  var state = { torrents: [], data: [], skip: [] };  // data: [{file, path}]
  var busy = false;

  function isTorrent(file) { return /\.torrent$/i.test(file.name); }

  function humanSize(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return (i ? n.toFixed(1) : String(n)) + " " + units[i];
  }

  function lines(text) {
    return text.split(/\r?\n/).map(function (l) { return l.trim(); }).filter(Boolean);
  }

  function links() {
    var magnets = [], urls = [], other = [];
    lines($("drop-text").value).forEach(function (line) {
      if (/^magnet:/i.test(line)) magnets.push(line);
      else if (/^https?:\/\//i.test(line)) urls.push(line);
      else other.push(line);
    });
    return { magnets: magnets, urls: urls, other: other };
  }

  // The way in, from what is selected.
  function way() {
    var withData = state.data.length > 0;
    if (withData && state.torrents.length === 1) return "with-data";
    if (withData && state.torrents.length > 1) return "too-many-torrents";
    if (withData) return "data";
    return "links-and-torrents";
  }

  function addFiles(entries) {  // [{file, path}]
    entries.forEach(function (e) {
      if (isTorrent(e.file) && e.path.indexOf("/") === -1) state.torrents.push(e.file);
      else state.data.push(e);
    });
    state.skip = [];
    render();
    if (state.torrents.length === 1 && !state.data.length) preview(state.torrents[0]);
    else $("drop-preview").hidden = true;
  }

  function fromInput(input) {
    var entries = Array.prototype.map.call(input.files, function (f) {
      return { file: f, path: f.webkitRelativePath || f.name };
    });
    input.value = "";  // the selection lives in `state`: the same files can be picked again
    addFiles(entries);
  }

  // A dropped folder: walk its entries (DataTransfer items), keeping each file's path.
  function walk(entry, prefix, out) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (f) { out.push({ file: f, path: prefix + f.name }); resolve(); },
          function () { resolve(); });
        return;
      }
      if (!entry.isDirectory) { resolve(); return; }
      var reader = entry.createReader();
      var children = [];
      (function more() {
        reader.readEntries(function (batch) {
          if (!batch.length) {
            Promise.all(children.map(function (c) {
              return walk(c, prefix + entry.name + "/", out);
            })).then(resolve);
            return;
          }
          children = children.concat(Array.prototype.slice.call(batch));
          more();
        }, function () { resolve(); });
      })();
    });
  }

  function render() {
    var w = way();
    var box = $("drop-selection");
    var list = $("drop-items");
    list.textContent = "";
    var l = links();
    var any = state.torrents.length || state.data.length || l.magnets.length || l.urls.length;
    box.hidden = !any;
    $("drop-data-fields").hidden = w !== "data";
    var text = {
      "with-data": "A .torrent with its data: checked against the torrent and seeded at once.",
      "data": "Files only: Seedbox makes a .torrent of them and seeds it.",
      "too-many-torrents": "Data goes with one .torrent at a time: remove the others or the data.",
      "links-and-torrents": "Each .torrent, magnet link and URL is added on its own."
    }[w];
    $("drop-way").textContent = text;
    state.torrents.forEach(function (f) { item(list, ".torrent", f.name, f.size); });
    if (state.data.length) {
      var total = state.data.reduce(function (s, e) { return s + e.file.size; }, 0);
      item(list, "data", state.data.length + " file" + (state.data.length > 1 ? "s" : ""), total);
      state.data.slice(0, 10).forEach(function (e) { item(list, "file", e.path, e.file.size); });
      if (state.data.length > 10) item(list, "…", "and " + (state.data.length - 10) + " more");
    }
    l.magnets.forEach(function (m) { item(list, "magnet", m.slice(0, 120)); });
    l.urls.forEach(function (u) { item(list, "URL", u.slice(0, 200)); });
  }

  function item(list, kind, name, size) {
    var li = document.createElement("li");
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = kind;
    li.appendChild(badge);
    li.appendChild(document.createTextNode(" " + name + (size !== undefined ? " (" + humanSize(size) + ")" : "")));
    list.appendChild(li);
  }

  function showVerdicts(messages) {
    var ul = $("drop-verdicts");
    ul.textContent = "";
    messages.forEach(function (m) {
      var li = document.createElement("li");
      li.textContent = m;
      ul.appendChild(li);
    });
    ul.hidden = !messages.length;
  }

  function api(url, options) {
    options.headers = Object.assign({ "X-CSRFToken": csrf, "Accept": "application/json" }, options.headers || {});
    options.credentials = "same-origin";
    return fetch(url, options).then(function (r) {
      return r.json().catch(function () { return { detail: "the server answered " + r.status }; })
        .then(function (body) { return { status: r.status, body: body }; });
    });
  }

  function preview(file) {
    var form = new FormData();
    form.append("torrent", file, file.name);
    api(zone.dataset.previewUrl, { method: "POST", body: form }).then(function (answer) {
      var box = $("drop-preview");
      var body = answer.body;
      if (answer.status !== 200) { box.hidden = true; showVerdicts([file.name + ": " + body.detail]); return; }
      $("drop-preview-summary").textContent = body.name + " — " + humanSize(body.size_bytes) + ", " +
        body.files.length + " file" + (body.files.length > 1 ? "s" : "");
      var rows = $("drop-preview-files");
      rows.textContent = "";
      body.files.forEach(function (f) {
        var tr = document.createElement("tr");
        var td = document.createElement("td");
        var box2 = document.createElement("input");
        box2.type = "checkbox";
        box2.checked = true;
        box2.value = f.index;
        box2.setAttribute("aria-label", "Download " + f.path);
        box2.addEventListener("change", function () {
          state.skip = Array.prototype.filter.call(rows.querySelectorAll("input"), function (b) { return !b.checked; })
            .map(function (b) { return Number(b.value); });
        });
        td.appendChild(box2);
        tr.appendChild(td);
        var name = document.createElement("td");
        name.className = "tree-name";
        name.textContent = f.path;
        tr.appendChild(name);
        var size = document.createElement("td");
        size.className = "num";
        size.textContent = humanSize(f.size_bytes);
        tr.appendChild(size);
        rows.appendChild(tr);
      });
      box.hidden = false;
      var problems = [body.trackers, body.quota].filter(function (v) { return !v.ok; })
        .map(function (v) { return body.name + ": " + v.reason; });
      showVerdicts(problems);
    });
  }

  function checkBody() {
    var l = links();
    var body = {
      torrents: [], magnets: l.magnets, url: l.urls, files: [],
      paused: $("drop-paused").checked,
      labels: $("drop-labels").value.trim()
    };
    var w = way();
    if (w === "with-data") {
      body.torrent = { path: state.torrents[0].name, size: state.torrents[0].size };
    } else {
      body.torrents = state.torrents.map(function (f) { return { path: f.name, size: f.size }; });
    }
    body.files = state.data.map(function (e) { return { path: e.path, size: e.file.size }; });
    if (w === "data") {
      body.name = $("drop-name").value;
      body.trackers = lines($("drop-trackers").value);
    }
    return body;
  }

  function formData(body) {
    var form = new FormData();
    var w = way();
    if (w === "with-data") form.append("torrent", state.torrents[0], state.torrents[0].name);
    else state.torrents.forEach(function (f) { form.append("torrents", f, f.name); });
    state.data.forEach(function (e) {
      form.append("files", e.file, e.file.name);
      form.append("paths", e.path);
    });
    body.magnets.forEach(function (m) { form.append("magnets", m); });
    body.url.forEach(function (u) { form.append("url", u); });
    if (w === "data") {
      form.append("name", body.name);
      body.trackers.forEach(function (t) { form.append("trackers", t); });
      form.append("comment", $("drop-comment").value);
      if ($("drop-private").checked) form.append("private", "true");
    }
    if (body.paused) form.append("paused", "true");
    var labels = $("drop-labels").value.trim();
    if (labels) form.append("labels", labels);
    // Per-file selection (indexes of the previewed .torrent's files left unticked).
    state.skip.forEach(function (i) { form.append("skip_files", String(i)); });
    return form;
  }

  function progress(percent, text) {
    var box = $("drop-progress");
    box.hidden = false;
    box.querySelector("progress").value = percent;
    $("drop-progress-text").textContent = text;
  }

  function upload(form) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", zone.dataset.addUrl);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable || !e.total) return;
        var p = Math.floor((100 * e.loaded) / e.total);
        progress(p, p < 100 ? "Uploading… " + p + "%" : "Uploaded; checking…");
      };
      xhr.onload = function () {
        var body;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = { detail: "the server answered " + xhr.status }; }
        resolve({ status: xhr.status, body: body });
      };
      xhr.onerror = function () { resolve({ status: 0, body: { detail: "the upload broke off (network)" } }); };
      xhr.send(form);
    });
  }

  function statusText(t) {
    if (t.size_bytes === null && ["queued", "checking", "downloading"].indexOf(t.status) !== -1) return "fetching metadata";
    return t.status === "pending_approval" ? "waiting for approval" : t.status.replace("_", " ");
  }

  function result(kind, label, name, href, detail) {
    var li = document.createElement("li");
    li.className = "result result-" + kind;
    li.setAttribute("data-outcome", kind);
    var badge = document.createElement("span");
    badge.className = "badge badge-" + kind;
    badge.textContent = label;
    li.appendChild(badge);
    li.appendChild(document.createTextNode(" "));
    var link = document.createElement(href ? "a" : "strong");
    if (href) link.href = href;
    link.textContent = name;
    li.appendChild(link);
    if (detail) {
      var d = document.createElement("span");
      d.className = "muted";
      d.textContent = " — " + detail;
      li.appendChild(d);
    }
    $("drop-result-list").appendChild(li);
    $("drop-results").hidden = false;
    return li;
  }

  function follow(fetchRow, li) {
    api(zone.dataset.fetchUrl + fetchRow.id, { method: "GET" }).then(function (answer) {
      var f = answer.body;
      if (answer.status === 200 && f.state === "fetching") { setTimeout(function () { follow(f, li); }, 1000); return; }
      var badge = li.querySelector(".badge");
      if (f.state === "added") {
        badge.textContent = "added";
        badge.className = "badge badge-added";
        var a = document.createElement("a");
        a.href = zone.dataset.pageUrl + f.torrent + "/";
        a.textContent = " open it";
        li.appendChild(a);
      } else {
        badge.textContent = "fetch failed";
        badge.className = "badge badge-refused";
        li.appendChild(document.createTextNode(" — " + (f.error || f.detail || "")));
      }
    });
  }

  function clearSelection() {
    state.torrents = [];
    state.data = [];
    state.skip = [];
    $("drop-preview").hidden = true;
    render();
  }

  function add() {
    if (busy) return;
    var l = links();
    if (l.other.length) {
      showVerdicts(l.other.map(function (o) { return o.slice(0, 100) + ": not a magnet link or an http(s) URL"; }));
      return;
    }
    if (way() === "too-many-torrents") { showVerdicts([$("drop-way").textContent]); return; }
    var body = checkBody();
    busy = true;
    $("drop-add").disabled = true;
    showVerdicts([]);
    api(zone.dataset.checkUrl, {
      method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" }
    }).then(function (answer) {
      var check = answer.body;
      if (answer.status !== 200 || !check.ok) {
        var messages = check.detail ? [check.detail] : [];
        (check.verdicts || []).forEach(function (v) { if (!v.ok) messages.push(v.name + ": " + v.reason); });
        if (!messages.length) messages.push("the check failed (" + answer.status + ")");
        showVerdicts(messages);
        return null;  // nothing was sent; the selection stays
      }
      progress(0, "Uploading…");
      return upload(formData(body));
    }).then(function (answer) {
      if (!answer) return;
      var b = answer.body;
      $("drop-progress").hidden = true;
      (b.added || []).forEach(function (t) {
        result(t.status === "pending_approval" ? "pending" : "added", statusText(t), t.name, zone.dataset.pageUrl + t.id + "/");
      });
      (b.fetches || []).forEach(function (f) {
        follow(f, result("fetching", "fetching the .torrent", f.url.slice(0, 200), null, ""));
      });
      var refused = (b.rejected || []).map(function (r) { return r.name + ": " + r.reason; });
      if (!b.added && !b.fetches && b.detail) refused.unshift(b.detail);
      else if (b.detail && !(b.rejected || []).length) refused.unshift(b.detail);
      showVerdicts(refused);
      if ((b.added && b.added.length) || (b.fetches && b.fetches.length)) {
        // What went in leaves the box; what was refused stays, to be fixed.
        var refusedNames = (b.rejected || []).map(function (r) { return r.name; });
        $("drop-text").value = lines($("drop-text").value).filter(function (line) {
          return refusedNames.indexOf(line.slice(0, 200)) !== -1;
        }).join("\n");
        if (!refusedNames.length) clearSelection();
        else render();
      }
    }).finally(function () {
      busy = false;
      $("drop-add").disabled = false;
    });
  }

  $("drop-files").addEventListener("change", function (e) { fromInput(e.target); });
  $("drop-folder").addEventListener("change", function (e) { fromInput(e.target); });
  $("drop-text").addEventListener("input", render);
  $("drop-add").addEventListener("click", add);
  $("drop-clear").addEventListener("click", function () {
    $("drop-text").value = "";
    showVerdicts([]);
    clearSelection();
  });

  var target = $("drop-target");
  target.addEventListener("dragover", function (e) { e.preventDefault(); target.classList.add("over"); });
  target.addEventListener("dragleave", function () { target.classList.remove("over"); });
  target.addEventListener("drop", function (e) {
    e.preventDefault();
    e.stopPropagation();
    target.classList.remove("over");
    var dt = e.dataTransfer;
    var items = dt.items ? Array.prototype.slice.call(dt.items) : [];
    var entries = items.map(function (i) { return i.kind === "file" && i.webkitGetAsEntry ? i.webkitGetAsEntry() : null; })
      .filter(Boolean);
    if (entries.length) {
      var out = [];
      Promise.all(entries.map(function (en) { return walk(en, "", out); })).then(function () { addFiles(out); });
      return;
    }
    if (dt.files && dt.files.length) {
      addFiles(Array.prototype.map.call(dt.files, function (f) { return { file: f, path: f.name }; }));
      return;
    }
    var text = dt.getData("text/plain");
    if (text) {
      var box = $("drop-text");
      box.value = (box.value ? box.value.replace(/\s*$/, "\n") : "") + text.trim();
      render();
    }
  });
  }
})();
