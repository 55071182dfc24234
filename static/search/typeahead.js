// The top bar's type-ahead: an ARIA 1.2 combobox (the search box) with a list box of suggestions fetched as an HTML
// fragment. Arrow keys move through the options, Enter opens the highlighted one (or submits the search when none is
// highlighted), Escape closes the list; `/` (app.js) brings the focus here from anywhere.
(() => {
  "use strict";
  const MIN_CHARS = 2;
  const DELAY_MS = 150;

  const setup = () => {
    const input = document.getElementById("global-search");
    const list = document.getElementById("global-search-list");
    const status = document.getElementById("global-search-status");
    if (!input || !list) return;
    let active = -1;
    let timer = null;
    let pending = null;
    let shownFor = null; // the text the list was fetched for

    const options = () => Array.from(list.querySelectorAll("[role=option]"));

    const highlight = (index) => {
      const all = options();
      active = index < 0 || !all.length ? -1 : index % all.length; // -1: back in the box, nothing highlighted
      all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", all[active].id);
        all[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };

    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    };

    const open = () => {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    };

    const announce = () => {
      const count = list.querySelectorAll(".suggest-group [role=option]").length;
      if (status) status.textContent = count ? `${count} suggestion${count === 1 ? "" : "s"}; arrow keys to move, Enter to open.` : "No quick matches; Enter searches everything.";
    };

    const fetchSuggestions = () => {
      const text = input.value.trim();
      if (text.length < MIN_CHARS) { close(); shownFor = null; return; }
      if (pending) pending.abort();
      pending = new AbortController();
      const url = `${input.dataset.suggestUrl}?${new URLSearchParams({ q: text })}`;
      fetch(url, { signal: pending.signal, headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
        .then((html) => {
          if (input.value.trim() !== text) return; // typed on meanwhile: a newer request follows
          list.innerHTML = html;
          shownFor = text;
          highlight(-1);
          if (document.activeElement === input) { open(); announce(); }
        })
        .catch(() => {}); // aborted, or the server refused: the form still submits to the results page
    };

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", (event) => {
      if (event.isComposing) return;
      switch (event.key) {
        case "ArrowDown":
        case "ArrowUp": {
          event.preventDefault();
          if (list.hidden) {
            if (shownFor === input.value.trim() && options().length) open();
            else { fetchSuggestions(); return; }
          }
          const last = options().length - 1;
          highlight(event.key === "ArrowDown" ? active + 1 : (active < 0 ? last : active - 1));
          break;
        }
        case "Enter": {
          const option = options()[active];
          if (!list.hidden && option && option.getAttribute("aria-disabled") !== "true") {
            event.preventDefault();
            window.location.href = option.href;
          }
          break; // nothing highlighted: the form submits to the results page
        }
        case "Escape":
          if (!list.hidden) { event.preventDefault(); event.stopPropagation(); close(); }
          break;
        default:
      }
    });

    // A click on an option follows its link; keep the focus in the box until then.
    list.addEventListener("mousedown", (event) => event.preventDefault());
    input.addEventListener("blur", () => setTimeout(close, 100));
    input.addEventListener("focus", () => {
      if (shownFor && shownFor === input.value.trim() && options().length) open();
    });
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
