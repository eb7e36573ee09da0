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
  // Move focus to the first error summary so screen-reader users hear it at once.
  const summary = document.querySelector("[role=alert]");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
});
