// The queue's service instance and customer group filters: a text box with a list of suggestions (a <datalist>
// filled from the server as the analyst types) instead of a drop-down of every instance, which at thousands of them
// made the page slow. The box shows a name; the hidden field beside it sends the chosen one's id. A name that matches
// no suggestion is refused with a message on the box, so a filter is never silently dropped.
(() => {
  "use strict";
  const DELAY_MS = 200;
  const boxes = () => Array.from(document.querySelectorAll("input[data-pick-url]"));
  const hiddenOf = (box) => box.form.querySelector(`input[type=hidden][name="${box.dataset.pickFor}"]`);
  const listOf = (box) => document.getElementById(box.getAttribute("list"));
  const timers = new WeakMap();

  // The suggestion the text names: the same words, whatever the case.
  const match = (box) => {
    const text = box.value.trim().toLowerCase();
    return Array.from(listOf(box).options).find((option) => option.value.trim().toLowerCase() === text) || null;
  };

  const resolve = (box) => {
    const found = match(box);
    hiddenOf(box).value = found ? found.dataset.id : "";
    return Boolean(found) || box.value.trim() === "";
  };

  const load = async (box) => {
    const url = `${box.dataset.pickUrl}?${new URLSearchParams({ q: box.value.trim() })}`;
    const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return;
    listOf(box).innerHTML = await response.text();
  };

  document.addEventListener("input", (event) => {
    const box = event.target.closest("input[data-pick-url]");
    if (!box) return;
    box.setCustomValidity(""); // new words: the last refusal no longer applies
    resolve(box); // a suggestion picked from the list arrives as an input event with its whole name
    clearTimeout(timers.get(box));
    timers.set(box, setTimeout(() => load(box).then(() => resolve(box)), DELAY_MS));
  });

  // The first suggestions as soon as the box is entered, so the list opens with something to pick.
  document.addEventListener("focusin", (event) => {
    const box = event.target.closest("input[data-pick-url]");
    if (box && !box.dataset.loaded) {
      box.dataset.loaded = "1";
      load(box);
    }
  });

  // On submit: a typed name that no suggestion has confirmed yet is looked up once more (the analyst may press Enter
  // before the list arrived); still unknown, the box says so and nothing is sent.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    const pending = boxes().filter((box) => box.form === form && !resolve(box));
    if (!pending.length) return;
    event.preventDefault();
    pending.forEach((box) => clearTimeout(timers.get(box)));
    await Promise.all(pending.map((box) => load(box)));
    const unknown = pending.filter((box) => {
      if (resolve(box)) return false;
      const only = listOf(box).options;
      if (only.length === 1) {
        box.value = only[0].value; // one instance has those words: that one
        return !resolve(box);
      }
      return true;
    });
    if (unknown.length) {
      const box = unknown[0];
      box.setCustomValidity(`Pick a ${box.closest("label").title.toLowerCase()} from the list, or clear the box.`);
      box.reportValidity();
      return;
    }
    form.requestSubmit();
  });
})();
