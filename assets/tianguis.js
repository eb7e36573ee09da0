// Tianguis — a little progressive enhancement; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive actions marked with a danger class.
  for (const button of document.querySelectorAll("button.button-danger, button.danger")) {
    button.addEventListener("click", (event) => {
      const question = document.documentElement.lang === "en" ? "Are you sure?" : "¿Está seguro?";
      if (!window.confirm(question)) event.preventDefault();
    });
  }
  // The plan's "create a process" form offers only the methods whose value band (from the
  // rulebook, on each option) admits the ticked lines' planned value (issue 13); the server
  // checks again on save.
  const method = document.getElementById("plan-method");
  if (method) {
    const lines = document.querySelectorAll("input[name=lines][data-value]");
    const fits = (option, total) => {
      const min = Number(option.dataset.min || "0");
      const max = option.dataset.max === "" ? Infinity : Number(option.dataset.max);
      const aboveMin = "minOpen" in option.dataset ? total > min : total >= min;
      const belowMax = "maxOpen" in option.dataset ? total < max : total <= max;
      return aboveMin && belowMax;
    };
    const update = () => {
      let total = 0;
      for (const line of lines) if (line.checked) total += Number(line.dataset.value);
      for (const option of method.options) {
        option.disabled = total > 0 && !fits(option, total);
        option.hidden = option.disabled;
      }
      if (method.selectedOptions[0]?.disabled) {
        const first = [...method.options].find((o) => !o.disabled);
        if (first) method.value = first.value;
      }
    };
    for (const line of lines) line.addEventListener("change", update);
    update();
  }
  // Move focus to the first error summary so screen-reader users hear it at once.
  const summary = document.querySelector("[role=alert]");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
});
