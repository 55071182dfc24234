// Edit a ticket: the configuration item list follows the chosen service instance (JSON from the app itself).
(() => {
  "use strict";
  const form = document.getElementById("ticket-edit");
  if (!form) return;
  const instance = document.getElementById("id_service_instance");
  const item = document.getElementById("id_configuration_item");
  const urlFor = (id) => form.dataset.instanceItems.replace(/\/0\/items\/$/, `/${id}/items/`);

  instance.addEventListener("change", async () => {
    const id = instance.value;
    const kept = item.value;
    item.replaceChildren(new Option("— none —", ""));
    if (!id) return;
    const response = await fetch(urlFor(id), { headers: { Accept: "application/json" } });
    if (!response.ok || instance.value !== id) return;
    const data = await response.json();
    for (const ci of data.results) item.add(new Option(`${ci.name} (${ci.type})`, String(ci.id)));
    if ([...item.options].some((option) => option.value === kept)) item.value = kept;
  });
})();
