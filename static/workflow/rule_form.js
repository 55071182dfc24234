/* Rule admin: show only the value box that fits the chosen field/operator (criteria) or action type (actions),
   and only the operators the field offers. Without JavaScript every box stays visible and the server checks all. */
(function () {
  "use strict";

  function box(row, name) {
    return row.querySelector(".fieldBox.field-" + name) || row.querySelector(".form-row.field-" + name);
  }

  function setupCriterion(row) {
    var field = row.querySelector("select[name$='-field']");
    var operator = row.querySelector("select[name$='-operator']");
    if (!field || !operator || !field.dataset.columns) return;
    var columns = JSON.parse(field.dataset.columns);
    var all = JSON.parse(field.dataset.all);
    function update() {
      var ops = columns[field.value] || null;
      Array.prototype.forEach.call(operator.options, function (option) {
        var offered = !option.value || !ops || Object.prototype.hasOwnProperty.call(ops, option.value);
        option.hidden = !offered;
        option.disabled = !offered;
      });
      if (ops && operator.value && !Object.prototype.hasOwnProperty.call(ops, operator.value)) operator.value = "";
      var shown = ops && operator.value ? ops[operator.value] : null;
      all.forEach(function (name) {
        var el = box(row, name);
        if (el) el.style.display = name === shown ? "" : "none";
      });
    }
    field.addEventListener("change", update);
    operator.addEventListener("change", update);
    update();
  }

  function setupAction(row) {
    var type = row.querySelector("select[name$='-action_type']");
    if (!type || !type.dataset.columns) return;
    var columns = JSON.parse(type.dataset.columns);
    var all = JSON.parse(type.dataset.all);
    function update() {
      var spec = columns[type.value] || null;
      all.forEach(function (name) {
        var el = box(row, name);
        if (!el) return;
        var visible = spec && (name === spec.value || (name === "text" && spec.text));
        el.style.display = visible ? "" : "none";
      });
    }
    type.addEventListener("change", update);
    update();
  }

  function setup(row) {
    if (!row || row.classList.contains("empty-form")) return;
    setupCriterion(row);
    setupAction(row);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".inline-related").forEach(setup);
  });
  document.addEventListener("formset:added", function (event) {
    setup(event.target);
  });
})();
