// The queue's due column counts down without a reload: every [data-due] text is recomputed from its due moment,
// with the same wording as the server ("in 3 h", "45 min late", "2 d late").
(() => {
  "use strict";
  const relative = (due) => {
    const seconds = Math.trunc((due - Date.now()) / 1000);
    const amount = Math.abs(seconds);
    let text;
    if (amount < 3600) text = `${Math.max(1, Math.floor(amount / 60))} min`;
    else if (amount < 86400 * 2) text = `${Math.floor(amount / 3600)} h`;
    else text = `${Math.floor(amount / 86400)} d`;
    return seconds >= 0 ? `in ${text}` : `${text} late`;
  };
  const tick = () => {
    document.querySelectorAll(".countdown[data-due]").forEach((el) => {
      const due = Date.parse(el.dataset.due);
      if (Number.isNaN(due)) return;
      el.textContent = (el.dataset.prefix || "") + relative(due);
      el.classList.toggle("late", due < Date.now());
    });
  };
  document.addEventListener("DOMContentLoaded", () => {
    tick();
    setInterval(tick, Number(document.body.dataset.countdownMs || 20000));
  });
})();
