// Keyboard shortcuts, the `?` overview and confirmations. No inline scripts (CSP).
// Queue: j/k select, Enter opens, c claims, d starts "geen actie" (select the row, then a reason is asked;
// never for threat/doxxing rows), / searches. Case page: r reveals, c claims, n note, 1-6 jump to a step (Enter
// in its field saves it; the page opens with the cursor on the next open step, then on "Afronden").
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) { ev.preventDefault(); }
    var copy = ev.target.closest("[data-copy]");
    if (copy) { copyText(copy); }
    var d = ev.target.closest(".dismiss-row");
    if (d) { startDismiss(d.closest("tr.case")); }
  });
  function copyText(button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) { return; }
    source.select();
    var done = function () { button.textContent = button.getAttribute("data-copied") || button.textContent; };
    if (navigator.clipboard) { navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); }); }
    else { document.execCommand("copy"); done(); }
  }
  function announce(text) {
    var live = document.getElementById("melding");
    if (live) { live.textContent = text; live.classList.remove("sr"); live.classList.add("flash"); }
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.case[data-href]")); }
  var current = -1;
  function select(i) {
    var r = rows(); if (!r.length) { return; }
    current = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (row, n) { row.classList.toggle("selected", n === current); });
    r[current].scrollIntoView({ block: "nearest" });
  }
  function submit(form) { if (form) { var b = form.querySelector("button"); if (b) { b.click(); } } }
  function startDismiss(row) {
    if (!row) { return; }
    if (row.hasAttribute("data-case-page-only")) {
      announce("Zaak #" + row.getAttribute("data-case-id") + " is een bedreiging of doxing: open de zaak om hem af te sluiten.");
      return;
    }
    document.querySelectorAll("input[name=case_ids][form=bulk]").forEach(function (box) {
      box.checked = box.closest("tr") === row;
    });
    var reason = document.querySelector("#bulk select[name=reden]");
    if (reason) {
      announce("Zaak #" + row.getAttribute("data-case-id") + " geselecteerd: kies een reden en bevestig met 'Geen actie voor selectie'.");
      reason.focus();
    }
  }
  function overview() {
    var dlg = document.getElementById("sneltoetsen-overzicht");
    if (!dlg) { return; }
    if (dlg.open) { dlg.close(); } else { dlg.showModal(); }
  }
  function focusStep(n) {
    var form = document.querySelector(".step-form[data-step-number='" + n + "']");
    if (!form) { return false; }
    var field = form.querySelector("input:not([type=hidden]), button");
    var correction = form.closest("details");  // an automatic step: the key opens its correction form
    if (correction) { correction.open = true; }
    form.closest("li").scrollIntoView({ block: "center" });
    if (field) { field.focus(); }
    return true;
  }
  // The case page puts the cursor on the next open step (or "Afronden", or the offered bundle). Browsers skip the
  // autofocus attribute when the URL has a #fragment, as after saving a step (#stappen): focus it here once the
  // page (and its scroll to the fragment) has loaded, unless the person already moved the cursor.
  window.addEventListener("load", function () {
    var target = document.querySelector("[autofocus]");
    if (target && (document.activeElement === document.body || !document.activeElement)) { target.focus(); }
  });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (ev.key === "Escape" && t && t.closest && t.closest(".step-form")) { t.blur(); return; }  // back to the shortcuts
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.tagName === "BUTTON" || t.tagName === "A" || t.isContentEditable)) { return; }
    var r = rows(), row = current >= 0 ? r[current] : null;
    switch (ev.key) {
      case "?": overview(); break;
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "Enter": case "o": if (row) { window.location.href = row.getAttribute("data-href"); } else { return; } break;
      case "c": submit(row ? row.querySelector(".claim-form") : document.querySelector(".summary .claim-form")); break;
      case "d": if (row) { startDismiss(row); } else { return; } break;
      case "r": submit(document.querySelector(".reveal-form")); break;
      case "n": var note = document.getElementById("notitie-tekst"); if (note) { note.focus(); } else { return; } break;
      case "/": var q = document.querySelector(".filters input[name=q]"); if (q) { q.focus(); } else { return; } break;
      case "1": case "2": case "3": case "4": case "5": case "6": if (!focusStep(ev.key)) { return; } break;
      default: return;
    }
    ev.preventDefault();
  });
})();
