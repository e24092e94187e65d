// Django's autocomplete widgets (Select2) leave their search box without a name and put
// their "clear" button straight inside a list, so screen readers announce neither
// properly. Name the box after the field's label and give the button a list item's role,
// each time Select2 redraws them.
"use strict";

(function () {
  function nameAutocompleteWidgets() {
    for (const box of document.querySelectorAll(".select2-search__field:not([aria-label])")) {
      const container = box.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const label = select && select.id && document.querySelector(`label[for="${select.id}"]`);
      if (label) {
        box.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
      }
    }
    for (const clear of document.querySelectorAll("ul > .select2-selection__clear:not([role])")) {
      clear.setAttribute("role", "listitem");
    }
  }

  new MutationObserver(nameAutocompleteWidgets).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  document.addEventListener("DOMContentLoaded", nameAutocompleteWidgets);
})();
