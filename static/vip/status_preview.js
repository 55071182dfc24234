// The VIP status form: a live preview of the badge as analysts will see it, its contrast ratio, and a warning when
// the colour is close to the desk's alarm red (P1, breached). Same rules as vip/models.py.
(() => {
  "use strict";
  const SYSTEM = { "P1 and breach red": [0xb4, 0x23, 0x18] };
  const TOO_CLOSE = 80;
  const rgb = (hex) => {
    let v = (hex || "#000000").replace("#", "");
    if (v.length === 3) v = v.split("").map((c) => c + c).join("");
    const n = [0, 2, 4].map((i) => parseInt(v.slice(i, i + 2), 16));
    return n.some(Number.isNaN) ? [0, 0, 0] : n;
  };
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = (hex) => { const [r, g, b] = rgb(hex); return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b); };

  const render = (box, colour, name) => {
    const lum = luminance(colour);
    const black = (lum + 0.05) / 0.05;
    const white = 1.05 / (lum + 0.05);
    const text = black >= white ? "#000000" : "#ffffff";
    const ratio = Math.max(black, white);
    const [r, g, b] = rgb(colour);
    const close = Object.entries(SYSTEM)
      .filter(([, [sr, sg, sb]]) => Math.hypot(r - sr, g - sg, b - sb) < TOO_CLOSE)
      .map(([label]) => label);
    const badge = box.querySelector(".vip-badge");
    badge.style.background = colour;
    badge.style.color = text;
    badge.textContent = name || "VIP status";
    box.querySelector(".ratio").textContent =
      `Contrast ${ratio.toFixed(1)}:1 ${ratio >= 4.5 ? "(reads well)" : "(too low: choose a darker or lighter colour)"}`;
    const warning = box.querySelector(".warning");
    warning.textContent = close.length ? `Close to the ${close.join(", ")}: analysts may read this badge as an alarm.` : "";
    warning.hidden = !close.length;
  };

  document.addEventListener("DOMContentLoaded", () => {
    const colour = document.getElementById("id_colour");
    const name = document.getElementById("id_name");
    if (!colour || !name) return;
    const box = document.createElement("div");
    box.className = "vip-preview";
    box.setAttribute("aria-live", "polite");
    box.innerHTML = '<span class="label">Preview</span> <span class="vip-badge"></span> <span class="ratio"></span>' +
      '<p class="warning" hidden></p>';
    colour.closest(".form-row, .fieldBox, div").after(box);
    const update = () => render(box, colour.value, name.value);
    ["input", "change"].forEach((type) => { colour.addEventListener(type, update); name.addEventListener(type, update); });
    update();
  });
})();
