// The consult form. Works without this script; it only helps:
// - a form that came back (mistakes, or ready to send) moves the focus to the box
//   at its top that says what to do, so screen readers and keyboards start there;
// - when the patient picks a clinic, the consent wording names that clinic (without
//   the script it says "the clinic I choose above"; the request stores the name).
(function () {
  "use strict";
  var notice = document.querySelector("[data-form-notice]");
  if (notice) notice.focus();

  document.querySelectorAll("form.consult-form").forEach(function (form) {
    var label = form.querySelector("[data-consent-label]");
    form.querySelectorAll("input[name=location][data-consent]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.checked && label && radio.dataset.consent) label.textContent = radio.dataset.consent;
      });
    });
  });
})();
