// The live queue. htmx polls the rows (#queue-rows, hx-trigger "every N s"); this file makes the poll a conditional
// GET (If-None-Match with the version the rows were drawn at: the server answers 304 after one query when nothing
// changed), skips polls while the browser tab is hidden and polls at once when it shows again, and keeps what the
// analyst was doing across a swap: focus, the selected row, ticked checkboxes (by ticket id). Rows that are new or
// changed since the page was opened get a marker, words for screen readers, and one polite announcement.
// Also: the column picker applies as its boxes change.
(() => {
  "use strict";
  const rowsId = "queue-rows";
  const seen = new Map(); // ticket id -> the updated stamp the analyst last saw
  const marked = new Map(); // ticket id -> "new" | "changed", kept until the page is opened again
  let kept = null;

  const body = () => document.getElementById(rowsId);
  const rowsOf = (tbody) => Array.from(tbody ? tbody.querySelectorAll("tr[data-ticket]") : []);

  const remember = () => {
    rowsOf(body()).forEach((row) => seen.set(row.dataset.ticket, row.dataset.updated));
  };

  // -- what the analyst was doing, kept across a swap ---------------------------------------------------------------
  const snapshot = () => {
    const tbody = body();
    const active = document.activeElement;
    const focusRow = active && tbody && tbody.contains(active) ? active.closest("tr[data-ticket]") : null;
    const checked = new Set();
    tbody.querySelectorAll("tr[data-ticket] input[type=checkbox]").forEach((box) => {
      if (box.checked) checked.add(`${box.closest("tr").dataset.ticket}|${box.name}|${box.value}`);
    });
    const selected = tbody.querySelector("tr.selected[data-ticket]");
    return {
      checked,
      selected: selected ? selected.dataset.ticket : null,
      focus: focusRow ? { ticket: focusRow.dataset.ticket, index: Array.from(focusRow.querySelectorAll("a, input, button, select")).indexOf(active) } : null,
    };
  };

  const restore = (state) => {
    const tbody = body();
    if (!state || !tbody) return;
    tbody.querySelectorAll("tr[data-ticket] input[type=checkbox]").forEach((box) => {
      const key = `${box.closest("tr").dataset.ticket}|${box.name}|${box.value}`;
      if (state.checked.has(key)) box.checked = true;
    });
    if (state.selected) {
      const row = tbody.querySelector(`tr[data-ticket="${state.selected}"]`);
      if (row) row.classList.add("selected");
    }
    if (state.focus) {
      const row = tbody.querySelector(`tr[data-ticket="${state.focus.ticket}"]`);
      const targets = row ? row.querySelectorAll("a, input, button, select") : [];
      const target = targets[state.focus.index] || targets[0];
      if (target) target.focus({ preventScroll: true });
    }
  };

  // -- new and changed rows -----------------------------------------------------------------------------------------
  const mark = (row, kind) => {
    row.classList.add(kind === "new" ? "is-new" : "is-changed");
    const cell = row.querySelector("td");
    if (cell && !cell.querySelector(".row-mark")) {
      const words = document.createElement("span");
      words.className = "sr-only row-mark";
      words.textContent = kind === "new" ? " (new)" : " (changed)";
      cell.appendChild(words);
    }
  };

  const compare = () => {
    let fresh = 0;
    let changed = 0;
    rowsOf(body()).forEach((row) => {
      const id = row.dataset.ticket;
      if (!seen.has(id)) {
        marked.set(id, "new");
        fresh += 1;
      } else if (seen.get(id) !== row.dataset.updated && marked.get(id) !== "new") {
        marked.set(id, "changed");
        changed += 1;
      }
      seen.set(id, row.dataset.updated);
      if (marked.has(id)) mark(row, marked.get(id));
    });
    const parts = [];
    if (fresh) parts.push(`${fresh} new ticket${fresh === 1 ? "" : "s"}`);
    if (changed) parts.push(`${changed} ticket${changed === 1 ? "" : "s"} changed`);
    const live = document.getElementById("queue-live");
    if (live && parts.length) live.textContent = parts.join(", ");
  };

  // -- the poll -----------------------------------------------------------------------------------------------------
  const isPoll = (event) => event.detail.elt && event.detail.elt.id === rowsId;

  document.addEventListener("htmx:configRequest", (event) => {
    if (!isPoll(event)) return;
    if (document.hidden) {
      event.preventDefault(); // nobody is looking: no request at all
      return;
    }
    event.detail.headers["If-None-Match"] = event.detail.elt.dataset.version || "";
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    if (!isPoll(event)) return;
    if (event.detail.xhr.status === 304) {
      event.detail.shouldSwap = false; // unchanged: keep the rows as they are
      return;
    }
    kept = snapshot();
  });

  document.addEventListener("htmx:afterSettle", () => {
    if (!body()) return;
    compare(); // also after the column picker redrew the table: the marks stay
    if (kept) restore(kept);
    kept = null;
  });

  document.addEventListener("visibilitychange", () => {
    const tbody = body();
    if (!document.hidden && tbody && window.htmx) window.htmx.trigger(tbody, "queue:refresh");
  });

  // -- the column picker applies as its boxes change ----------------------------------------------------------------
  document.addEventListener("change", (event) => {
    const form = event.target.closest(".column-form");
    if (form) form.requestSubmit();
  });

  document.addEventListener("DOMContentLoaded", () => {
    remember();
    document.querySelectorAll(".column-form .column-submit").forEach((button) => { button.hidden = true; });
  });
})();
