// The place box suggests places as the patient types: an ARIA 1.2 combobox with a
// listbox popup (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/). Suggestions come
// from our own API (/api/v1/places); no request leaves the site. Without this script
// the place box is a plain text box and the search works the same.
//
// Keyboard: Down/Up move through the suggestions (Alt+Down opens them), Enter takes
// the one shown as active, Escape closes the list (or, when closed, clears the box),
// Tab leaves. A polite live region says how many places are suggested.
(function () {
  "use strict";
  if (!("fetch" in window)) return;

  var DELAY_MS = 200; // wait for a pause in typing before asking
  var MIN_LENGTH = 2;

  // What the box should say for a place: what the search page itself would read back.
  function placeText(place) {
    if (place.kind === "fsa") return place.name;
    if (place.kind === "area" && place.description &&
        place.name.toLowerCase().indexOf(place.description.toLowerCase()) === -1) {
      return place.name + ", " + place.description + ", " + place.province;
    }
    return place.name + ", " + place.province;
  }

  // What the list shows: postal-code areas with the area they cover.
  function placeLabel(place) {
    if (place.kind === "fsa" && place.description) {
      return place.name + " \u2013 " + place.description.replace(/ \/ /g, ", ") + ", " + place.province;
    }
    return placeText(place);
  }

  function setUp(box, index) {
    var input = box.querySelector("input[name=where]");
    if (!input) return;
    var url = box.getAttribute("data-places-url");
    var listId = input.id + "-places";
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var places = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var typed = "";

    list.id = listId;
    list.className = "place-options";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", box.getAttribute("data-options-label"));
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    box.appendChild(list);
    box.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off"); // the browser's own list would cover ours

    function optionId(i) {
      return listId + "-" + i;
    }

    function open() {
      if (!places.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      setActive(-1);
    }

    function setActive(i) {
      var options = list.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = i;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", optionId(active));
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(i) {
      if (i < 0 || i >= places.length) return;
      input.value = placeText(places[i]);
      typed = input.value;
      // Typing a place means "search there", not at coordinates used before (search.js).
      input.dispatchEvent(new Event("input", { bubbles: true }));
      close();
    }

    function announce(count) {
      var text;
      if (count === 0) text = box.getAttribute("data-none-text");
      else if (count === 1) text = box.getAttribute("data-one-text");
      else text = box.getAttribute("data-many-text").replace("%(count)s", String(count));
      status.textContent = text;
    }

    function show(found) {
      places = found;
      list.textContent = "";
      found.forEach(function (place, i) {
        var option = document.createElement("li");
        option.id = optionId(i);
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = placeLabel(place);
        // mousedown, not click: keep the focus in the box.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(option);
      });
      active = -1;
      announce(found.length);
      if (found.length) open();
      else close();
    }

    function ask(text) {
      if (pending) pending.abort();
      pending = "AbortController" in window ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: pending ? pending.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (found) {
          if (input.value.trim() === text && document.activeElement === input) show(found);
        })
        .catch(function () {
          // Offline, slow or refused: the box stays a plain text box.
        });
    }

    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (text === typed) return;
      typed = text;
      clearTimeout(timer);
      if (text.length < MIN_LENGTH) {
        places = [];
        list.textContent = "";
        status.textContent = "";
        close();
        return;
      }
      timer = setTimeout(function () {
        ask(text);
      }, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) {
          open();
          if (!event.altKey && places.length) setActive(0);
        } else if (places.length) {
          setActive((active + 1) % places.length);
        }
      } else if (key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          open();
          if (places.length) setActive(places.length - 1);
        } else if (places.length) {
          setActive(active <= 0 ? places.length - 1 : active - 1);
        }
      } else if (key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault(); // take the place; a second Enter searches
          choose(active);
        }
      } else if (key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          typed = "";
        }
      } else if (key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  document.querySelectorAll("[data-place-box]").forEach(setUp);
})();
