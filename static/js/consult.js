// The consult form: when the patient picks a clinic, the consent wording under the
// checkbox names that clinic. The form works without this script (the wording then
// says "the clinic I choose above"; the request stores the chosen clinic's name).
(function () {
  "use strict";
  document.querySelectorAll("form.consult-form").forEach(function (form) {
    var label = form.querySelector("[data-consent-label]");
    form.querySelectorAll("input[name=location][data-consent]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.checked && label && radio.dataset.consent) label.textContent = radio.dataset.consent;
      });
    });
  });
})();
