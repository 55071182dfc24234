// The admin's autocomplete boxes (select2) render a combobox without an accessible name: give each the label of the
// select it stands for, also for boxes added later (inlines).
(() => {
  "use strict";
  const name = (combobox) => {
    const container = combobox.closest(".select2-container");
    const select = container && container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") return;
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    const text = label ? label.textContent.replace(/[:*]\s*$/, "").trim() : select.name;
    combobox.setAttribute("aria-label", text);
    // The text box inside shows the chosen value; when nothing is chosen it needs the name too.
    combobox.querySelectorAll("[role=textbox]").forEach((box) => box.setAttribute("aria-label", text));
  };
  const sweep = () => document.querySelectorAll(".select2-selection[role=combobox]:not([aria-label])").forEach(name);
  document.addEventListener("DOMContentLoaded", () => {
    sweep();
    new MutationObserver(sweep).observe(document.body, { childList: true, subtree: true });
  });
})();
