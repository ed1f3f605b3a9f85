/* Keyboard and screen-reader help the components do not give by themselves (WCAG 2.4.3, 2.4.1,
 * 4.1.2). A file of the assets folder, not an inline script, so a strict CSP allows it.
 *
 * - Focus stays on a control after its change: a choice of period, indicator, basis or area
 *   writes the URL and the page is drawn again, which removes the focused control; a control
 *   disabled while a job runs (the upload's file input) loses the focus too. The last focused
 *   control is remembered by a key that survives a new drawing (its own id, or the nearest
 *   stable id above it and its place among that element's controls) and focused again when it is
 *   back and enabled. A control that stays disabled may name in data-focus-fallback the id of the
 *   element that takes the focus instead (the upload result after "confirm").
 * - A chart's toolbar is one tab stop: its first button is tabbable, the arrow keys, Home and End
 *   move between the buttons (the ARIA toolbar pattern), instead of nine stops per chart.
 * - The upload's file input is named by the drop zone's words (dcc.Upload gives it no label).
 * - Tab leaves a data grid: the grids' cells take no focus (suppressCellFocus), and AG Grid then
 *   sends Tab from the last column header back to the first, so nothing after the grid could
 *   be reached (WCAG 2.1.2). In a header, Tab and Shift+Tab go to the control after or before
 *   the grid; the arrow keys still move between the headers and Enter still sorts.
 */
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex], details > summary";
  /* how long after a control lost the focus to a new drawing it may take it back (ms) */
  var KEEP_MS = 120000;
  var kept = null; /* {el, id, index, at} */

  function stableHost(el) {
    for (var node = el; node && node !== document.body; node = node.parentElement) {
      if (node.id && node.id.indexOf("mantine-") !== 0) { return node; }
    }
    return null;
  }

  function remember(el) {
    var host = stableHost(el);
    if (!host) { kept = null; return; }
    var index = host === el ? -1 : Array.prototype.indexOf.call(host.querySelectorAll(FOCUSABLE), el);
    kept = {el: el, id: host.id, index: index, at: Date.now()};
  }

  function usable(el) {
    return el && el.isConnected && !el.disabled && el.getClientRects().length > 0;
  }

  function lost() {
    var active = document.activeElement;
    return !active || active === document.body || active === document.documentElement;
  }

  function restore() {
    if (!kept || !lost() || Date.now() - kept.at > KEEP_MS) { return; }
    if (usable(kept.el)) { kept.el.focus({preventScroll: true}); return; }
    var host = document.getElementById(kept.id);
    var el = host && (kept.index < 0 ? host : host.querySelectorAll(FOCUSABLE)[kept.index]);
    if (usable(el)) {
      kept.el = el;
      el.focus({preventScroll: true});
      return;
    }
    var stuck = kept.el && kept.el.isConnected && kept.el.disabled ? kept.el : el;
    var fallback = stuck && stuck.getAttribute && stuck.getAttribute("data-focus-fallback");
    var target = fallback && document.getElementById(fallback);
    if (target && target.getClientRects().length > 0 && target.textContent.trim()) {
      remember(target);
      target.focus({preventScroll: true});
    }
  }

  document.addEventListener("focusin", function (e) {
    if (e.target && e.target !== document.body) { remember(e.target); }
  }, true);
  document.addEventListener("focusout", function (e) {
    var el = e.target;
    setTimeout(function () {
      /* the user moved on (a click on the page, not a new drawing): forget the control */
      if (kept && kept.el === el && el.isConnected && !el.disabled && lost()) { kept = null; }
    }, 0);
  }, true);

  function tabbable(el) {
    return !el.disabled && el.getAttribute("tabindex") !== "-1" && el.getClientRects().length > 0
      && getComputedStyle(el).visibility !== "hidden";
  }

  function leaveGrid(grid, back) {
    var all = Array.prototype.filter.call(document.querySelectorAll(FOCUSABLE), tabbable);
    var outside = all.filter(function (el) { return !grid.contains(el); });
    var next = back
      ? outside.filter(function (el) {
          return grid.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING;
        }).pop()
      : outside.filter(function (el) {
          return grid.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
        })[0];
    if (next) { next.focus(); }
  }

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Tab" || e.altKey || e.ctrlKey || e.metaKey) { return; }
    var header = e.target && e.target.closest && e.target.closest(".ag-header-cell");
    var grid = header && header.closest(".ag-root-wrapper");
    if (!grid) { return; }
    e.preventDefault();
    e.stopPropagation();
    leaveGrid(grid, e.shiftKey);
  }, true);

  function toolbar(bar) {
    var buttons = bar.querySelectorAll(".modebar-btn");
    Array.prototype.forEach.call(buttons, function (button, i) {
      if (!button.hasAttribute("data-roving")) {
        button.setAttribute("data-roving", "");
        button.setAttribute("tabindex", i === 0 ? "0" : "-1");
      }
    });
    if (!bar.hasAttribute("data-roving")) {
      bar.setAttribute("data-roving", "");
      bar.addEventListener("keydown", function (e) {
        var all = Array.prototype.slice.call(bar.querySelectorAll(".modebar-btn"));
        var at = all.indexOf(document.activeElement);
        if (at < 0) { return; }
        var to = {ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
                  Home: 0, End: all.length - 1}[e.key];
        if (to === undefined) { return; }
        e.preventDefault();
        to = (to + all.length) % all.length;
        all.forEach(function (b, i) { b.setAttribute("tabindex", i === to ? "0" : "-1"); });
        all[to].focus();
      });
    }
  }

  function nameUpload() {
    var input = document.querySelector("#upload-file input[type=file]");
    if (input && !input.hasAttribute("aria-labelledby") && document.getElementById("upload-drop-title")) {
      input.setAttribute("aria-labelledby", "upload-drop-title");
      input.setAttribute("aria-describedby", "upload-drop-limit");
    }
  }

  var queued = false;
  var retries = 0;
  var RETRIES = 40;
  var RETRY_MS = 150;
  function pass() {
    queued = false;
    Array.prototype.forEach.call(
      document.querySelectorAll(".modebar[role=toolbar]"),
      function (bar) { if (bar.querySelector(".modebar-btn:not([data-roving])")) { toolbar(bar); } }
    );
    nameUpload();
    restore();
    /* a browser drops the focus of a disabled control a moment after the change: look again */
    if (kept && !usable(kept.el) && retries < RETRIES) {
      retries += 1;
      setTimeout(queue, RETRY_MS);
    } else if (kept && usable(kept.el)) {
      retries = 0;
    }
  }
  function queue() {
    if (!queued) { queued = true; requestAnimationFrame(pass); }
  }
  function start() {
    new MutationObserver(queue).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"]
    });
    queue();
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
