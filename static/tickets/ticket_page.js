// The ticket page updates in place: its forms post with htmx and the server answers with the parts the action changed
// (header, notes, history, side column), swapped by id without a reload, so the scroll position stays. A refusal
// (400: a field error, 409: a conflict) comes back the same way, its message next to the field. What is typed in the
// page's other forms survives a swap; the focus goes back to the control it was on. Without JavaScript the same forms
// post and the page reloads.
(() => {
  "use strict";
  const page = document.getElementById("ticket-page");
  if (!page) return;
  const forms = window.itsmForms;
  const messages = () => document.querySelector(".messages-region");
  let kept = null;
  let focused = "";

  const say = (text) => {
    const region = messages();
    if (!region) return;
    const list = document.createElement("ul");
    list.className = "messages";
    const item = document.createElement("li");
    item.className = "error";
    item.textContent = text;
    list.append(item);
    region.replaceChildren(list);
  };

  // What the analyst typed in the forms other than the one sent, by form id, to put back after the swap.
  const typedElsewhere = () => {
    const typed = {};
    page.querySelectorAll("form[id]").forEach((form) => {
      if (!forms || !forms.isFormDirty(form)) return;
      typed[form.id] = [...form.elements]
        .filter((el) => el.name && !["hidden", "submit", "button"].includes(el.type))
        .map((el) => [el.name, el.type === "checkbox" ? el.checked : el.value]);
    });
    return typed;
  };

  const putBack = (typed) => {
    Object.entries(typed).forEach(([id, fields]) => {
      const form = document.getElementById(id);
      if (!form) return;
      fields.forEach(([name, value]) => {
        const el = form.elements.namedItem(name);
        if (!el) return;
        if (el.type === "checkbox") el.checked = value;
        else el.value = value;
      });
      forms.markDirty(form);
    });
  };

  // Before the sent form's button is disabled for the request (which takes the focus off it).
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (page.contains(event.detail.elt)) focused = document.activeElement ? document.activeElement.id : "";
  });

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (!page.contains(event.detail.elt)) return;
    const xhr = event.detail.xhr;
    // Signed out meanwhile: the answer is the sign-in page; go there rather than swap nothing.
    if (xhr.responseURL && new URL(xhr.responseURL).pathname.startsWith("/accounts/login/")) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
      return;
    }
    if (xhr.status === 400 || xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    if (event.detail.shouldSwap) kept = typedElsewhere();
  });

  document.body.addEventListener("htmx:afterSettle", () => {
    if (kept === null) return;
    putBack(kept);
    kept = null;
    // A refused form came back with what was typed: still unsaved, so still guarded.
    page.querySelectorAll("form").forEach((form) => {
      if (form.querySelector(".error")) forms.markDirty(form);
    });
    // Back on the control that was used, in its new copy; when the action removed it (a closed ticket has no
    // actions), at the start of the content.
    if (!document.activeElement || document.activeElement === document.body) {
      const target = (focused && document.getElementById(focused)) || document.getElementById("main");
      target.focus({ preventScroll: true });
    }
  });

  document.body.addEventListener("htmx:responseError", (event) => {
    if (!page.contains(event.detail.elt)) return;
    const status = event.detail.xhr.status;
    say(
      status === 403
        ? "You may not do this on this ticket; nothing was changed."
        : `The server could not do this (error ${status}); nothing was changed. Reload the page and try again.`,
    );
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    if (page.contains(event.detail.elt)) say("The server could not be reached; nothing was changed. Try again.");
  });
})();
