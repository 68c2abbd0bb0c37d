// Small behaviours of the torrent pages. Every form works without them; they add select-all,
// a selection count, auto-applied filters, drag and drop, folder paths and upload progress.
(function () {
  "use strict";

  function rowBoxes() {
    return document.querySelectorAll('input[name="ids"][form="bulk-form"]');
  }

  function updateSelection() {
    var count = document.getElementById("selected-count");
    if (!count) return;
    var boxes = rowBoxes();
    var n = 0;
    boxes.forEach(function (b) { if (b.checked) n += 1; });
    count.textContent = n ? n + " selected" : "Tick torrents to act on several at once.";
    var all = document.getElementById("select-all");
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  }

  // The .torrent / data files a form sends: with a folder chosen, each file's path inside it.
  function rebuildPaths(form) {
    form.querySelectorAll("input[data-generated-path]").forEach(function (n) { n.remove(); });
    var files = [];
    form.querySelectorAll('input[type="file"][name="files"]').forEach(function (input) {
      Array.prototype.forEach.call(input.files, function (f) { files.push(f); });
    });
    if (!files.some(function (f) { return f.webkitRelativePath; })) return;
    files.forEach(function (f) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "paths";
      hidden.value = f.webkitRelativePath || f.name;
      hidden.setAttribute("data-generated-path", "");
      form.appendChild(hidden);
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "select-all") {
      rowBoxes().forEach(function (b) { b.checked = target.checked; });
    }
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.requestSubmit();
    }
    if (target.type === "file" && target.form && target.form.hasAttribute("data-paths")) {
      rebuildPaths(target.form);
    }
    updateSelection();
  });

  document.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("over");
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (zone) zone.classList.remove("over");
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("over");
    var input = zone.querySelector('input[type="file"]:not([webkitdirectory])');
    var transfer = new DataTransfer();
    Array.prototype.forEach.call(event.dataTransfer.files, function (f) { transfer.items.add(f); });
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // Upload progress: htmx reports the XMLHttpRequest's upload progress on the form.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target;
    var box = form.querySelector && form.querySelector("[data-upload-progress]");
    if (!box || !event.detail.lengthComputable || !event.detail.total) return;
    var percent = Math.floor((100 * event.detail.loaded) / event.detail.total);
    box.hidden = false;
    box.querySelector("progress").value = percent;
    box.querySelector("[data-upload-text]").textContent =
      percent < 100 ? "Uploading… " + percent + "%" : "Uploaded; checking…";
  });
  // Polls (data-poll) skip a hidden tab. An hx-trigger filter ("[!document.hidden]") would do it
  // with eval, which the Content-Security-Policy forbids.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.hidden && event.target.hasAttribute && event.target.hasAttribute("data-poll")) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-upload")) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (form.querySelectorAll) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    }
  });

  document.addEventListener("htmx:afterSettle", updateSelection);
  document.addEventListener("DOMContentLoaded", updateSelection);
})();
