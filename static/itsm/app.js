// Keyboard shortcuts, the phone menu, error summaries and unsaved-input protection for every page.
(() => {
  "use strict";

  // -- unsaved input: a changed form warns before leaving, and single-key shortcuts stand still ----------------------
  const dirtyForms = new Set();
  const watched = (form) => form.method.toLowerCase() === "post" && !form.hasAttribute("data-no-unsaved-warning");
  // A form swapped out of the page (htmx) no longer holds anything.
  const dirty = () => {
    dirtyForms.forEach((form) => { if (!form.isConnected) dirtyForms.delete(form); });
    return dirtyForms.size > 0;
  };
  document.addEventListener("input", (event) => {
    const form = event.target.form;
    if (form && watched(form)) dirtyForms.add(form);
  });
  document.addEventListener("submit", (event) => dirtyForms.delete(event.target), true);
  window.addEventListener("beforeunload", (event) => {
    if (dirty()) { event.preventDefault(); event.returnValue = ""; }
  });
  window.itsmForms = {
    isDirty: dirty,
    isFormDirty: (form) => dirtyForms.has(form),
    markDirty: (form) => { if (watched(form)) dirtyForms.add(form); },
    forget: (form) => dirtyForms.delete(form),
  };

  // -- drafts: a form with data-draft keeps what is typed in sessionStorage (see tickets/log_call.js). Sent, and
  // answered with another page that says it worked, the draft is done; any other answer keeps it for the way back.
  try {
    if (!document.querySelector("form[data-draft]") && document.querySelector(".messages li.success")) {
      Object.keys(sessionStorage)
        .filter((key) => key.startsWith("itsm:draft:"))
        .forEach((key) => {
          const draft = JSON.parse(sessionStorage.getItem(key) || "null");
          if (draft && draft.submitted) sessionStorage.removeItem(key);
        });
    }
  } catch (error) {
    // Storage switched off or full: the page works without drafts.
  }

  // -- anchors clear whatever stays stuck to the top (the top bar, the ticket header): scroll-margin-top follows ---
  const measureSticky = () => {
    let offset = 0;
    document.querySelectorAll(".topbar, [data-sticky-head]").forEach((el) => {
      const style = getComputedStyle(el);
      if (style.position === "sticky" || style.position === "fixed") {
        offset = Math.max(offset, (parseFloat(style.top) || 0) + el.getBoundingClientRect().height);
      }
    });
    document.documentElement.style.setProperty("--sticky-offset", `${Math.ceil(offset) + 8}px`);
  };
  measureSticky();
  window.addEventListener("resize", measureSticky);
  document.addEventListener("htmx:afterSettle", measureSticky);
  // A page opened at an anchor was scrolled before this script knew the header's height: scroll there again.
  const navigation = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  // Once more when the page has finished loading, unless the reader has moved on by then.
  if (location.hash.length > 1 && (!navigation || navigation.type === "navigate")) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    let readerMoved = false;
    ["wheel", "touchstart", "keydown", "mousedown"].forEach((type) =>
      window.addEventListener(type, () => (readerMoved = true), { once: true, passive: true }),
    );
    const toTarget = () => {
      if (!target || readerMoved) return;
      measureSticky();
      target.scrollIntoView({ block: "start" });
    };
    toTarget();
    if (document.readyState !== "complete") window.addEventListener("load", toTarget, { once: true });
  }

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

  // A key pressed in a field or on a control (a button, a disclosure, a list option) belongs to it, never to a
  // shortcut: `n` on a focused button must not leave a form.
  const CONTROLS = ["INPUT", "TEXTAREA", "SELECT", "BUTTON", "SUMMARY", "OPTION"];
  const ROLES = ["button", "textbox", "combobox", "listbox", "option", "menuitem", "checkbox", "radio", "switch"];
  const typing = (target) =>
    target instanceof Element &&
    (target.isContentEditable || CONTROLS.includes(target.tagName) || ROLES.includes(target.getAttribute("role")));

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && closeHelp()) return;
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (dirty()) return; // a half-typed form is never wiped or left by a stray key
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
