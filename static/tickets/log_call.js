// Log a call: caller type-ahead (JSON from /tickets/callers/), the chosen caller's card (open tickets, support notes,
// instances) and the chosen instance's context, configuration items per instance, the priority from impact x urgency
// before saving, and a draft of everything in sessionStorage so that Back or a return to the page restores it.
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
  const instanceContext = document.getElementById("instance-context");
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
    instanceContext.dataset.priority = p || "";
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
      instanceContext.dataset.priority = p.priority; // the contacts to tell stand out for a P1
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
    instanceContext.innerHTML = "";
    instanceSelect.innerHTML = '<option value="">— choose the caller first —</option>';
    itemSelect.innerHTML = '<option value="">— none —</option>';
    refreshPreview();
    saveDraft();
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

  // -- the chosen caller: one request brings the card and every instance's context ---------------------------------
  const loadCard = async (id, { keepInstance = false } = {}) => {
    const response = await fetch(urlFor(form.dataset.callerCard, id), { headers: { Accept: "application/json" } });
    if (!response.ok) { card.innerHTML = '<div class="error">Could not load the caller.</div>'; return false; }
    const data = await response.json();
    if (String(data.id) !== hidden.value) return false; // another caller was chosen meanwhile
    card.innerHTML = data.html;
    instanceContext.innerHTML = data.instances_html;
    const kept = instanceSelect.value;
    const options = ['<option value="">— none —</option>'].concat(
      data.instances.map(
        (i) => `<option value="${i.id}">${escapeHtml(i.title)}${i.service_level ? " · " + escapeHtml(i.service_level) : ""}</option>`,
      ),
    );
    instanceSelect.innerHTML = options.join("");
    if (keepInstance && data.instances.some((i) => String(i.id) === kept)) instanceSelect.value = kept;
    else if (data.instances.length === 1) instanceSelect.value = String(data.instances[0].id);
    instanceHelp.textContent = data.instances.length
      ? `${data.instances.length} instance${data.instances.length === 1 ? "" : "s"} the caller consumes through their customer groups.`
      : "This caller consumes no service instance through their groups.";
    if (!keepInstance || instanceSelect.value !== kept) loadItems();
    markPicked();
    refreshPreview();
    saveDraft();
    return true;
  };

  const choose = async (result) => {
    if (!result) return;
    hidden.value = result.id;
    input.value = result.name;
    open(false);
    card.hidden = false;
    card.innerHTML = `<div class="muted">Loading ${escapeHtml(result.name)}…</div>`;
    instanceContext.innerHTML = "";
    if (await loadCard(result.id)) document.getElementById("id_title").focus();
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
    saveDraft();
  };
  instanceSelect.addEventListener("change", () => { loadItems(); markPicked(); });

  // The instances listed on the caller card pick the instance with one click; the chosen one's context shows.
  const markPicked = () => {
    card.querySelectorAll("button.pick").forEach((b) => b.setAttribute("aria-pressed", b.dataset.instance === instanceSelect.value ? "true" : "false"));
    instanceContext.querySelectorAll("[data-instance-context]").forEach((block) => {
      block.hidden = block.dataset.instanceContext !== instanceSelect.value;
    });
  };
  card.addEventListener("click", (event) => {
    const button = event.target.closest("button.pick");
    if (!button) return;
    instanceSelect.value = button.dataset.instance;
    instanceSelect.dispatchEvent(new Event("change"));
  });
  markPicked();

  // -- the draft: everything typed and chosen, kept for this browser tab until the call is saved ------------------
  const DRAFT = `itsm:draft:${form.dataset.draft}`;
  const notice = document.getElementById("draft-notice");
  const storage = (() => {
    try { return window.sessionStorage; } catch (error) { return null; } // storage switched off: no drafts
  })();
  let saveTimer = null;
  const fields = () =>
    [...form.elements].filter((el) => el.name && el.name !== "csrfmiddlewaretoken" && !["submit", "button"].includes(el.type));
  const writeDraft = (submitted = false) => {
    if (!storage) return;
    const values = Object.fromEntries(fields().map((el) => [el.name, el.type === "checkbox" ? el.checked : el.value]));
    const typed = fields().some((el) => (el.tagName === "TEXTAREA" || el.type === "text") && el.value.trim());
    if (!values.caller && !typed && !submitted) { storage.removeItem(DRAFT); return; }
    try {
      storage.setItem(DRAFT, JSON.stringify({
        values,
        card: card.hidden ? "" : card.innerHTML,
        context: instanceContext.innerHTML,
        instances: instanceSelect.innerHTML,
        items: itemSelect.innerHTML,
        help: instanceHelp.textContent,
        savedAt: new Date().toISOString(),
        submitted,
      }));
    } catch (error) {
      // Storage full: the dirty-form warning still guards the call.
    }
  };
  const flush = () => {
    clearTimeout(saveTimer);
    saveTimer = null;
  };
  function saveDraft() {
    flush();
    saveTimer = setTimeout(() => { saveTimer = null; writeDraft(); }, 250);
  }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  // Sent: kept, marked as sent, until a page that says it worked clears it (itsm/app.js).
  form.addEventListener("submit", () => { flush(); writeDraft(true); });
  window.addEventListener("pagehide", () => { if (saveTimer) { flush(); writeDraft(); } });

  const restoreDraft = () => {
    let draft = null;
    try {
      draft = storage && JSON.parse(storage.getItem(DRAFT) || "null");
    } catch (error) {
      storage.removeItem(DRAFT); // not a draft this page wrote: start afresh
    }
    if (!draft || !draft.values) return false;
    const wanted = new URLSearchParams(location.search).get("caller");
    if (wanted && wanted !== String(draft.values.caller || "")) return false; // opened for another caller
    instanceSelect.innerHTML = draft.instances;
    itemSelect.innerHTML = draft.items;
    fields().forEach((el) => {
      if (!(el.name in draft.values)) return;
      if (el.type === "checkbox") el.checked = Boolean(draft.values[el.name]);
      else el.value = draft.values[el.name];
    });
    card.innerHTML = draft.card;
    card.hidden = !draft.card;
    instanceContext.innerHTML = draft.context;
    instanceHelp.textContent = draft.help;
    const when = new Date(draft.savedAt);
    document.getElementById("draft-when").textContent =
      ` from ${when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}` +
      (draft.submitted ? " (it was being saved when you left: check the caller's open tickets before saving it again)" : "");
    notice.hidden = false;
    if (window.itsmForms) window.itsmForms.markDirty(form);
    writeDraft(); // no longer "sent"
    return true;
  };

  document.getElementById("draft-discard").addEventListener("click", () => {
    if (storage) storage.removeItem(DRAFT);
    if (window.itsmForms) window.itsmForms.forget(form);
    window.location.replace(window.location.pathname);
  });

  if (form.hasAttribute("data-bound")) {
    writeDraft(); // the server's answer holds what was sent: that is the draft now
  } else if (restoreDraft()) {
    markPicked();
    showPriority();
    refreshPreview();
    if (hidden.value) loadCard(hidden.value, { keepInstance: true }); // the open tickets may have changed since
  }
  // Text typed before this script ran (a slow page) or restored by the browser's Back: search it now.
  if (input.value.trim().length >= 2 && !hidden.value) search(input.value.trim());

  // Ctrl+Enter (or Cmd+Enter) saves from anywhere in the form.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
