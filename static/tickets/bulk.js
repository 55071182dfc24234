// The queue's bulk bar: row boxes, "select all on this page", the count, and the fields of the chosen action.
// Without scripts the bar still works: every field shows and the form posts as usual.
(() => {
  "use strict";

  const FIELDS = {
    assign: ["team", "assignee"],
    status: ["status", "note"],
    note: ["note", "public"],
  };
  const ALWAYS = ["action", "change_reason"];

  const bar = () => document.getElementById("bulk-form");
  const boxes = () => Array.from(document.querySelectorAll("input.bulk-pick[form=bulk-form]"));

  const showFields = (form) => {
    const action = form.elements.action ? form.elements.action.value : "";
    const wanted = new Set([...ALWAYS, ...(FIELDS[action] || [])]);
    form.querySelectorAll("[data-bulk-field]").forEach((field) => {
      // A field with an error stays in view whatever the action.
      field.hidden = !wanted.has(field.dataset.bulkField) && !field.classList.contains("has-error");
    });
  };

  const update = () => {
    const form = bar();
    if (!form) return;
    const all = boxes();
    const ticked = all.filter((box) => box.checked);
    all.forEach((box) => box.closest("tr")?.classList.toggle("picked", box.checked));
    form.querySelector("#bulk-count").textContent = `${ticked.length} selected`;
    const selectAll = form.querySelector("#bulk-all");
    selectAll.checked = all.length > 0 && ticked.length === all.length;
    selectAll.indeterminate = ticked.length > 0 && ticked.length < all.length;
    const busy = ticked.length > 0 || form.classList.contains("has-errors");
    form.classList.toggle("active", busy);
    form.querySelector("[data-bulk-controls]").hidden = !busy;
  };

  const init = () => {
    const form = bar();
    if (!form) return;
    const wrap = form.querySelector("[data-bulk-all]");
    if (wrap) wrap.hidden = boxes().length === 0;
    showFields(form);
    update();
  };

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.id === "bulk-all") {
      boxes().forEach((box) => { box.checked = target.checked; });
      update();
    } else if (target.matches("input.bulk-pick")) {
      update();
    } else if (target.form === bar() && target.name === "action") {
      showFields(target.form);
    }
  });

  // Ticking rows is not unsaved input (app.js would otherwise warn on leaving and mute the j/k keys); typed text is.
  document.addEventListener("input", (event) => {
    const form = bar();
    if (!form || !(event.target.matches("input.bulk-pick") || event.target.id === "bulk-all")) return;
    const typed = ["note", "change_reason"].some((name) => form.elements[name] && form.elements[name].value.trim());
    if (!typed && window.itsmForms) window.itsmForms.forget(form);
  });

  // A refused bulk action answers 400 or 409 with the bar and its reasons: show them in place (htmx leaves error
  // answers unswapped by default), ticks and typed input stay.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.elt === bar() && [400, 409].includes(event.detail.xhr.status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSwap", () => {
    const form = bar();
    if (!form) return;
    init();
    const summary = form.querySelector(".bulk-errors") || form.querySelector(".has-error input, .has-error select");
    if (summary) summary.focus();
  });

  // Esc closes the "Save view" form and puts the focus back on its toggle.
  document.addEventListener("keydown", (event) => {
    const open = event.key === "Escape" && document.querySelector("details.save-view[open]");
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });

  document.addEventListener("DOMContentLoaded", init);
})();
