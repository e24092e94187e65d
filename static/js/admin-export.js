// The admin's export page: "Select all" ticks or clears every field of the export.
// Our Content Security Policy refuses inline handlers, so it is wired up here.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("input.select-toggle")) {
    toggle.addEventListener("change", () => {
      const boxes = document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]');
      for (const box of boxes) {
        box.checked = toggle.checked;
      }
    });
  }
});
