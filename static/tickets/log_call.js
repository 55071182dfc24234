// Log a call: caller type-ahead (JSON from /tickets/callers/), the chosen caller's card and service instances,
// configuration items per instance, and the priority from impact x urgency before saving. Served by the app.
(() => {
  "use strict";
  const form = document.getElementById("log-call");
  if (!form) return;
  const input = document.getElementById("id_caller_query");
  const hidden = form.querySelector("input[name=caller]");
  const list = document.getElementById("caller-results");
  const card = document.getElementById("caller-card");
  const instanceSelect = document.getElementById("id_service_instance");
  const itemSelect = document.getElementById("id_configuration_item");
  const instanceHelp = document.getElementById("instance-help");
  const impact = document.getElementById("id_impact");
  const urgency = document.getElementById("id_urgency");
  const preview = document.getElementById("priority-preview");
  const matrix = JSON.parse(document.getElementById("priority-matrix").textContent);
  const labels = JSON.parse(document.getElementById("priority-labels").textContent);
  const urlFor = (template, id) => template.replace(/0\/$/, `${id}/`);

  const escapeHtml = (text) =>
    String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  // -- priority preview ---------------------------------------------------------------------------------------
  const showPriority = () => {
    const p = matrix[`${impact.value}/${urgency.value}`];
    preview.innerHTML = p ? `<span class="prio p${p}" title="Priority ${p}">P${p}</span> ${escapeHtml(labels[p])}` : "";
  };
  impact.addEventListener("change", showPriority);
  urgency.addEventListener("change", showPriority);
  showPriority();

  // -- what the rules will do, and the due times (server preview: same engine, nothing saved) ----------------
  const rulesPreview = document.getElementById("rules-preview");
  const typeSelect = document.getElementById("id_ticket_type");
  let previewController = null;
  const refreshPreview = async () => {
    if (!form.dataset.callPreview || !rulesPreview) return;
    const params = new URLSearchParams({
      caller: hidden.value || "",
      impact: impact.value,
      urgency: urgency.value,
      ticket_type: typeSelect ? typeSelect.value : "",
      service_instance: instanceSelect.value || "",
    });
    if (previewController) previewController.abort();
    previewController = new AbortController();
    try {
      const response = await fetch(`${form.dataset.callPreview}?${params}`, {
        headers: { Accept: "application/json" },
        signal: previewController.signal,
      });
      if (!response.ok) return;
      const p = await response.json();
      preview.innerHTML =
        `<span class="prio p${p.priority}" title="Priority ${p.priority}">P${p.priority}</span> ${escapeHtml(p.priority_label)}`;
      const lines = p.because.map((line) => `<li>${escapeHtml(line)}</li>`).join("");
      const level = p.service_level
        ? `<div>Service level <strong>${escapeHtml(p.service_level)}</strong> (${escapeHtml(p.calendar)}): ` +
          `respond by <strong>${escapeHtml(p.response_due || "—")}</strong>, ` +
          `resolve by <strong>${escapeHtml(p.resolution_due || "—")}</strong></div>`
        : '<div class="muted">No service level: no due times.</div>';
      rulesPreview.innerHTML = (lines ? `<ul class="plain">${lines}</ul>` : "") + level;
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  };
  [impact, urgency, typeSelect, instanceSelect].forEach((el) => el && el.addEventListener("change", refreshPreview));
  window.itsmRefreshCallPreview = refreshPreview;
  refreshPreview();

  // -- type-ahead -----------------------------------------------------------------------------------------------
  let results = [];
  let active = -1;
  let timer = null;
  let lastQuery = "";
  let controller = null;

  const open = (isOpen) => {
    list.hidden = !isOpen;
    input.setAttribute("aria-expanded", isOpen ? "true" : "false");
    if (!isOpen) input.removeAttribute("aria-activedescendant");
  };

  const highlight = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (index >= 0 && list.children[index]) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    }
  };

  const render = () => {
    if (!results.length) {
      list.innerHTML = `<li class="combo-empty" role="option" aria-disabled="true">No active person matches “${escapeHtml(lastQuery)}”.</li>`;
      open(true);
      active = -1;
      return;
    }
    list.innerHTML = results
      .map(
        (r, i) =>
          `<li role="option" id="caller-option-${i}" data-index="${i}" aria-selected="false">` +
          `${r.badge_html ? r.badge_html + " " : ""}<strong>${escapeHtml(r.name)}</strong>` +
          `<span class="muted"> ${escapeHtml(r.email)}${r.job_title ? " · " + escapeHtml(r.job_title) : ""}</span></li>`,
      )
      .join("");
    open(true);
    highlight(0);
  };

  const search = async (query) => {
    lastQuery = query;
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${form.dataset.callerSearch}?q=${encodeURIComponent(query)}`, {
        headers: { Accept: "application/json" },
        signal: controller.signal,
      });
      if (!response.ok) return;
      const data = await response.json();
      if (query !== input.value.trim()) return; // typed on meanwhile
      results = data.results;
      render();
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  };

  const clearCaller = () => {
    if (!hidden.value) return;
    hidden.value = "";
    card.hidden = true;
    card.innerHTML = "";
    instanceSelect.innerHTML = '<option value="">— choose the caller first —</option>';
    itemSelect.innerHTML = '<option value="">— none —</option>';
    refreshPreview();
  };

  input.addEventListener("input", () => {
    clearCaller();
    const query = input.value.trim();
    clearTimeout(timer);
    if (query.length < 2) {
      results = [];
      open(false);
      return;
    }
    timer = setTimeout(() => search(query), 150);
  });

  // Text typed before this script ran (a slow page) or restored by the browser's Back: search it now.
  if (input.value.trim().length >= 2 && !hidden.value) search(input.value.trim());

  input.addEventListener("keydown", (event) => {
    const isOpen = !list.hidden && results.length;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!isOpen && results.length) { render(); return; }
      if (isOpen) highlight(Math.min(active + 1, results.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (isOpen) highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter") {
      if (isOpen && active >= 0) {
        event.preventDefault();
        choose(results[active]);
      } else if (!hidden.value) {
        event.preventDefault(); // never submit the form from the caller box without a caller
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); open(false); }
    }
  });

  list.addEventListener("mousedown", (event) => {
    const li = event.target.closest("li[data-index]");
    if (!li) return;
    event.preventDefault(); // keep the focus in the input until chosen
    choose(results[Number(li.dataset.index)]);
  });
  input.addEventListener("blur", () => setTimeout(() => open(false), 150));

  // -- the chosen caller ------------------------------------------------------------------------------------------
  const choose = async (result) => {
    if (!result) return;
    hidden.value = result.id;
    input.value = result.name;
    open(false);
    card.hidden = false;
    card.innerHTML = `<div class="muted">Loading ${escapeHtml(result.name)}…</div>`;
    const response = await fetch(urlFor(form.dataset.callerCard, result.id), { headers: { Accept: "application/json" } });
    if (!response.ok) { card.innerHTML = '<div class="error">Could not load the caller.</div>'; return; }
    const data = await response.json();
    if (String(data.id) !== hidden.value) return; // another caller was chosen meanwhile
    card.innerHTML = data.html;
    const options = ['<option value="">— none —</option>'].concat(
      data.instances.map(
        (i) => `<option value="${i.id}">${escapeHtml(i.title)}${i.service_level ? " · " + escapeHtml(i.service_level) : ""}</option>`,
      ),
    );
    instanceSelect.innerHTML = options.join("");
    if (data.instances.length === 1) instanceSelect.value = String(data.instances[0].id);
    instanceHelp.textContent = data.instances.length
      ? `${data.instances.length} instance${data.instances.length === 1 ? "" : "s"} the caller consumes through their customer groups.`
      : "This caller consumes no service instance through their groups.";
    loadItems();
    markPicked();
    refreshPreview();
    document.getElementById("id_title").focus();
  };

  const loadItems = async () => {
    const id = instanceSelect.value;
    itemSelect.innerHTML = '<option value="">— none —</option>';
    if (!id) return;
    const response = await fetch(urlFor(form.dataset.instanceItems, id), { headers: { Accept: "application/json" } });
    if (!response.ok || instanceSelect.value !== id) return;
    const data = await response.json();
    itemSelect.innerHTML += data.results
      .map((i) => `<option value="${i.id}">${escapeHtml(i.name)} (${escapeHtml(i.type)})</option>`)
      .join("");
  };
  instanceSelect.addEventListener("change", () => { loadItems(); markPicked(); });

  // The instances listed on the caller card pick the instance with one click.
  const markPicked = () => {
    card.querySelectorAll("button.pick").forEach((b) => b.setAttribute("aria-pressed", b.dataset.instance === instanceSelect.value ? "true" : "false"));
  };
  card.addEventListener("click", (event) => {
    const button = event.target.closest("button.pick");
    if (!button) return;
    instanceSelect.value = button.dataset.instance;
    instanceSelect.dispatchEvent(new Event("change"));
  });
  markPicked();

  // Ctrl+Enter (or Cmd+Enter) saves from anywhere in the form.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
