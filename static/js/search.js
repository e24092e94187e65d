// "Use my location": fills the hidden lat/lng fields from the browser and submits.
// The search works without this script; it only adds the button. Its words come from the
// button's data-*-text attributes, translated in the template (_where.html).
(function () {
  "use strict";
  if (!("geolocation" in navigator)) return;

  document.querySelectorAll("form[data-search-form]").forEach(function (form) {
    var button = form.querySelector("[data-locate]");
    var status = form.querySelector("[data-locate-status]");
    var where = form.querySelector("input[name=where]");
    var lat = form.querySelector("[data-lat]");
    var lng = form.querySelector("[data-lng]");
    if (!button || !where || !lat || !lng) return;

    button.hidden = false;

    // Typing a place means "search there", not at the coordinates used last time.
    where.addEventListener("input", function () {
      lat.value = "";
      lng.value = "";
    });

    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = button.dataset.findingText;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(5);
          lng.value = position.coords.longitude.toFixed(5);
          where.value = "";
          status.textContent = button.dataset.searchingText;
          form.submit();
        },
        function (error) {
          button.disabled = false;
          status.textContent =
            error.code === error.PERMISSION_DENIED
              ? button.dataset.deniedText
              : button.dataset.failedText;
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
      );
    });
  });
})();
