// The torrent list's keyboard shortcuts (? shows them), shift-click ranges of checkboxes,
// "all N matching" and the filter panel folded on phones. Every action is a link, a button or a
// form of the page: a key only presses it, so the server's checks and confirmations stay.
(function () {
  "use strict";

  document.documentElement.classList.add("js");
  var NARROW = window.matchMedia("(max-width: 50rem)");
  var focusedId = null;   // the focus row, by torrent id (rows are swapped by the live list)
  var lastClicked = null; // the last checkbox clicked, by id, for shift-click ranges
  var panelOpen = null;   // the filter panel as the person left it (null: as the width says)

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#torrent-rows tr.torrent-row"));
  }

  function box(row) {
    return row && row.querySelector('input[name="ids"]');
  }

  function focusedRow() {
    return focusedId && document.getElementById("t-" + focusedId);
  }

  function showFocus() {
    rows().forEach(function (r) {
      var on = r.id === "t-" + focusedId;
      r.classList.toggle("kb-focus", on);
      if (on) r.setAttribute("aria-current", "true");
      else r.removeAttribute("aria-current");
    });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(focusedRow());
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.max(0, Math.min(all.length - 1, at + step));
    focusedId = all[next].getAttribute("data-id");
    showFocus();
    all[next].scrollIntoView({ block: "nearest" });
  }

  function changed(input) {
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function press(row, selector) {
    var control = row && row.querySelector(selector);
    if (control) control.click();
    return Boolean(control);
  }

  function anySelected() {
    var matching = document.getElementById("select-matching");
    return (matching && matching.checked) ||
      rows().some(function (r) { var b = box(r); return b && b.checked; });
  }

  function help() {
    var dialog = document.getElementById("shortcuts-help");
    if (dialog && !dialog.open) dialog.showModal();
  }

  function typing(target) {
    // A closed dialog can keep the focus a moment after Escape: only an open one takes keys.
    return target.closest && target.closest("input, textarea, select, [contenteditable], dialog[open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && event.target.id === "filter-q") {
      event.target.blur();
      return;
    }
    if (typing(event.target) || !document.getElementById("torrent-list")) return;
    if (event.key === "Enter" && event.target.closest("a, button, summary")) return;
    var row = focusedRow();
    switch (event.key) {
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "x":
        if (!box(row)) return;
        box(row).checked = !box(row).checked;
        lastClicked = focusedId;
        changed(box(row));
        break;
      case "p":
        if (!press(row, '[data-row-action="pause"], [data-row-action="resume"]')) return;
        break;
      case "Delete": case "#":
        if (anySelected()) document.getElementById("bulk-delete").click();
        else if (!press(row, '[data-row-action="delete"]')) return;
        break;
      case "Enter": case "o":
        if (!press(row, "[data-row-open]")) return;
        break;
      case "a": document.getElementById("add-torrents").click(); break;
      case "/": document.getElementById("filter-q").focus(); break;
      case "?": help(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest && target.closest("[data-shortcuts-open]")) {
      help();
      return;
    }
    if (!(target.matches && target.matches('#torrent-rows input[name="ids"]'))) return;
    var id = target.value;
    var all = rows();
    var from = all.indexOf(document.getElementById("t-" + lastClicked));
    var to = all.indexOf(document.getElementById("t-" + id));
    if (event.shiftKey && from >= 0 && to >= 0) {
      all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (r) {
        box(r).checked = target.checked;
      });
    }
    lastClicked = id;
    focusedId = id;
    showFocus();
  });

  // "All N matching": ticks the page's rows too; unticking any of them unticks it.
  document.addEventListener("change", function (event) {
    var target = event.target;
    var matching = document.getElementById("select-matching");
    if (!matching) return;
    if (target === matching) {
      rows().forEach(function (r) { box(r).checked = matching.checked; });
      var all = document.getElementById("select-all");
      if (all) all.checked = matching.checked;
    } else if ((target.name === "ids" || target.id === "select-all") && !target.checked) {
      matching.checked = false;
    }
    if (matching.checked) {
      var label = document.getElementById("selected-count");
      var summary = document.getElementById("list-summary");
      if (label && summary) {
        // data-shown: "10,000+" when a search matched more than it counts.
        var shown = summary.getAttribute("data-shown") || summary.getAttribute("data-count");
        label.textContent = "All " + shown + " matching selected";
      }
    }
  });

  function foldPanel() {
    var panel = document.querySelector("details[data-collapse-narrow]");
    if (!panel) return;
    panel.open = panelOpen === null ? !NARROW.matches : panelOpen;
  }

  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details[data-collapse-narrow]")) {
      panelOpen = event.target.open;
    }
  }, true);

  function afterSwap() {
    foldPanel();
    showFocus();
  }
  document.addEventListener("htmx:afterSettle", afterSwap);
  document.addEventListener("htmx:oobAfterSwap", afterSwap);
  document.addEventListener("DOMContentLoaded", function () {
    var opener = document.getElementById("shortcuts-open");
    if (opener) opener.hidden = false;
    foldPanel();
    panelOpen = null;
  });
})();
