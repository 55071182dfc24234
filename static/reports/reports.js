// Report charts (Chart.js, served by the app): the numbers come from the page's json_script, the same figures as its
// tables. Okabe-Ito colours stay apart for colour-blind readers; VIP statuses keep their own colours.
(() => {
  "use strict";
  const BLUE = "#0072B2";
  const ORANGE = "#E69F00";
  const GREY = "#999999";
  const read = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
  const percent = { y: { min: 0, max: 100, title: { display: true, text: "%" } } };

  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    new window.Chart(canvas, config);
  };

  document.addEventListener("DOMContentLoaded", () => {
    const achievement = read("achievement-data");
    if (achievement) {
      draw("attainment-chart", {
        type: "bar",
        data: {
          labels: achievement.labels,
          datasets: [
            { label: "Resolution %", data: achievement.resolution, backgroundColor: BLUE },
            { label: "Response %", data: achievement.response, backgroundColor: ORANGE },
          ],
        },
        options: { scales: percent },
      });
      draw("trend-chart", {
        type: "line",
        data: {
          labels: achievement.weeks.map((w) => w.week),
          datasets: [
            { label: "Resolution %", data: achievement.weeks.map((w) => w.resolution_attainment), borderColor: BLUE, backgroundColor: BLUE },
            { label: "Response %", data: achievement.weeks.map((w) => w.response_attainment), borderColor: ORANGE, backgroundColor: ORANGE, borderDash: [6, 3] },
          ],
        },
        options: { scales: percent, spanGaps: true },
      });
    }
    const vip = read("vip-data");
    if (vip) {
      draw("vip-chart", {
        type: "bar",
        data: {
          labels: ["Share of tickets", "Share of time worked"],
          datasets: vip.labels.map((label, i) => ({
            label,
            data: [vip.tickets[i], vip.worked[i]],
            backgroundColor: vip.colours[i] || GREY,
            borderColor: "#ffffff",
            borderWidth: 1,
          })),
        },
        options: { indexAxis: "y", scales: { x: { stacked: true, min: 0, max: 100 }, y: { stacked: true } } },
      });
      draw("vip-trend-chart", {
        type: "line",
        data: {
          labels: vip.weeks.map((w) => w.week),
          datasets: [
            { label: "VIP %", data: vip.weeks.map((w) => w.vip_attainment), borderColor: ORANGE, backgroundColor: ORANGE },
            { label: "Everyone else %", data: vip.weeks.map((w) => w.other_attainment), borderColor: BLUE, backgroundColor: BLUE, borderDash: [6, 3] },
          ],
        },
        options: { scales: percent, spanGaps: true },
      });
    }
  });
})();
