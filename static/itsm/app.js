// Keyboard shortcuts, the phone menu, error summaries and unsaved-input protection for every page.
(() => {
  "use strict";

  // -- unsaved input: a changed form warns before leaving, and single-key shortcuts stand still ----------------------
  const dirtyForms = new Set();
  const watched = (form) => form.method.toLowerCase() === "post" && !form.hasAttribute("data-no-unsaved-warning");
  document.addEventListener("input", (event) => {
    const form = event.target.form;
    if (form && watched(form)) dirtyForms.add(form);
  });
  document.addEventListener("submit", (event) => dirtyForms.delete(event.target), true);
  window.addEventListener("beforeunload", (event) => {
    if (dirtyForms.size) { event.preventDefault(); event.returnValue = ""; }
  });
  window.itsmForms = { isDirty: () => dirtyForms.size > 0, forget: (form) => dirtyForms.delete(form) };

  // -- shortcuts ----------------------------------------------------------------------------------------------------
  const help = () => document.getElementById("shortcuts-help");
  let focusBeforeHelp = null;
  const openHelp = () => {
    const h = help();
    if (!h) return;
    focusBeforeHelp = document.activeElement;
    h.hidden = false;
    h.querySelector("button").focus();
  };
  const closeHelp = () => {
    const h = help();
    if (!h || h.hidden) return false;
    h.hidden = true;
    // Back where the analyst was, so the next shortcut works at once.
    if (focusBeforeHelp && focusBeforeHelp !== document.body) focusBeforeHelp.focus();
    else document.activeElement.blur();
    return true;
  };

  const rows = () => Array.from(document.querySelectorAll("table.dense tbody tr")).filter((r) => r.querySelector("a[href]"));
  let selected = -1;
  // The selected row is read back from the page: a live list (the queue) may have redrawn its rows since.
  const current = () => {
    const index = rows().findIndex((row) => row.classList.contains("selected"));
    return index >= 0 ? index : selected;
  };
  const select = (index) => {
    const list = rows();
    if (!list.length) return;
    selected = Math.max(0, Math.min(list.length - 1, index));
    list.forEach((row, i) => row.classList.toggle("selected", i === selected));
    const row = list[selected];
    row.scrollIntoView({ block: "nearest" });
    row.querySelector("a[href]").focus({ preventScroll: true });
  };

  const typing = (target) =>
    target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(target.tagName));

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && closeHelp()) return;
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (dirtyForms.size) return; // a half-typed form is never wiped or left by a stray key
    const search = document.getElementById("global-search");
    switch (event.key) {
      case "/":
        if (search) { event.preventDefault(); search.focus(); }
        break;
      case "n":
        window.location.href = "/tickets/new/";
        break;
      case "j":
        select(current() + 1);
        break;
      case "k":
        select(current() - 1);
        break;
      case "a": {
        const me = document.querySelector("button[name=me]");
        if (me) { event.preventDefault(); me.click(); }
        break;
      }
      case "c": {
        const note = document.querySelector(".note-form textarea");
        if (note) { event.preventDefault(); note.focus(); }
        break;
      }
      case "?":
        event.preventDefault();
        openHelp();
        break;
      default:
    }
  });

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-shortcuts-help],[data-shortcuts-close],.menu-toggle,.filters-toggle");
    if (!target) return;
    if (target.hasAttribute("data-shortcuts-help")) openHelp();
    else if (target.hasAttribute("data-shortcuts-close")) closeHelp();
    else if (target.classList.contains("menu-toggle")) {
      const bar = target.closest(".topbar");
      const open = bar.classList.toggle("open");
      target.setAttribute("aria-expanded", String(open));
    } else {
      const filters = target.closest(".filters");
      const open = filters.classList.toggle("open");
      target.setAttribute("aria-expanded", String(open));
    }
  });

  // -- a form the server refused: focus goes to the summary of its errors --------------------------------------------
  document.addEventListener("DOMContentLoaded", () => {
    const summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });
})();

// Filters apply as they change: no Filter button to press (it stays for browsers without scripts).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.filters").forEach((form) => {
    form.querySelectorAll(".filter-submit").forEach((button) => { button.hidden = true; });
    form.addEventListener("change", (event) => {
      if (event.target.matches("select, input[type=checkbox], input[type=radio]")) form.requestSubmit();
    });
  });
});
