// Keyboard shortcuts (queue: j/k/Enter/c/d; case page: r/c) and confirmations. No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) { ev.preventDefault(); }
  });
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.case[data-href]")); }
  var current = -1;
  function select(i) {
    var r = rows(); if (!r.length) { return; }
    current = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (row, n) { row.classList.toggle("selected", n === current); });
    r[current].scrollIntoView({ block: "nearest" });
  }
  function submit(form) { if (form) { var b = form.querySelector("button"); if (b) { b.click(); } } }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.tagName === "BUTTON" || t.tagName === "A" || t.isContentEditable)) { return; }
    var r = rows(), row = current >= 0 ? r[current] : null;
    switch (ev.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "Enter": case "o": if (row) { window.location.href = row.getAttribute("data-href"); } else { return; } break;
      case "c": submit(row ? row.querySelector(".claim-form") : document.querySelector(".summary .claim-form")); break;
      case "d": if (row) { submit(row.querySelector(".dismiss-form")); } break;
      case "r": submit(document.querySelector(".reveal-form")); break;
      default: return;
    }
    ev.preventDefault();
  });
})();
