// The map of search results: a "Show map" button, and on request a Leaflet map with one
// numbered pin per address in the list. The list stays the page: without this script, or
// with the map closed, nothing is missing. No tile is asked for before the patient opens
// the map, because that sends the area being viewed to the tile server (the page says so).
// Everything the pins show comes from the result cards already on the page.
(function () {
  "use strict";
  var panel = document.querySelector("[data-results-map]");
  var config = document.getElementById("map-tiles");
  var results = document.querySelector(".results[data-origin-lat]");
  if (!panel || !config || !results || typeof L === "undefined") return;

  var tiles = JSON.parse(config.textContent);
  var canvas = panel.querySelector("[data-map-canvas]");
  var status = panel.querySelector("[data-map-status]");
  var data = panel.dataset;
  var lang = document.documentElement.lang || "en-CA";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name];
    });
  }

  // Number the cards as the pins are numbered: the nearest-beyond list goes on counting.
  var groups = [];
  var byPlace = {};
  var number = 0;
  results.querySelectorAll("ol.result-list:not(.virtual)").forEach(function (list) {
    list.start = number + 1;
    list.querySelectorAll("article.result[data-lat]").forEach(function (card) {
      number += 1;
      var badge = document.createElement("span");
      badge.className = "result-number";
      badge.setAttribute("aria-hidden", "true");
      badge.textContent = number;
      var title = card.querySelector("h3") || card;
      title.insertBefore(badge, title.firstChild);
      var heading = card.querySelector("h3 a");
      var km = parseFloat(card.dataset.distanceKm);
      // Locations at one address share a pin, which lists everyone there.
      var key = card.dataset.lat + "," + card.dataset.lng;
      var group = byPlace[key];
      if (!group) {
        group = byPlace[key] = {
          lat: parseFloat(card.dataset.lat),
          lng: parseFloat(card.dataset.lng),
          numbers: [],
          names: [],
          cards: [],
          // As the card says it (the `km` template filter): "2.3 km", in French "2,3 km".
          distance: isNaN(km) ? "" : km.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " km",
        };
        groups.push(group);
      }
      group.numbers.push(number);
      group.names.push(heading ? heading.textContent.trim() : "");
      group.cards.push(card);
      card.dataset.pin = groups.indexOf(group);
    });
  });
  if (!groups.length) return;

  var button = document.createElement("button");
  button.type = "button";
  button.className = "secondary map-toggle";
  button.textContent = data.showLabel;
  button.setAttribute("aria-expanded", "false");
  canvas.id = "results-map-canvas";
  button.setAttribute("aria-controls", canvas.id);
  panel.insertBefore(button, panel.firstChild);
  panel.hidden = false;

  var map = null;
  var selected = null;

  // "1, 2" but "5–9": a pin for a busy clinic stays small.
  function compact(numbers) {
    var parts = [];
    for (var i = 0; i < numbers.length; i++) {
      var j = i;
      while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
      if (j - i >= 2) {
        parts.push(numbers[i] + "\u2013" + numbers[j]);
        i = j;
      } else {
        parts.push(String(numbers[i]));
      }
    }
    return parts.join(", ");
  }

  function label(group) {
    return format(data.pinLabel, {
      numbers: group.numbers.join(", "),
      names: group.names.join(", "),
      distance: group.distance,
    });
  }

  function select(group, fromMap) {
    if (selected) {
      selected.cards.forEach(function (card) {
        card.classList.remove("is-selected");
      });
      selected.element.classList.remove("is-selected");
      selected.marker.setZIndexOffset(0);
    }
    selected = group;
    group.cards.forEach(function (card) {
      card.classList.add("is-selected");
    });
    group.element.classList.add("is-selected");
    group.marker.setZIndexOffset(1000);
    status.textContent = format(data.selectedLabel, { pin: label(group) });
    if (fromMap) {
      group.cards[0].scrollIntoView({ block: "nearest" });
    } else if (!map.getBounds().contains(group.marker.getLatLng())) {
      map.panTo(group.marker.getLatLng());
    }
  }

  function build() {
    canvas.setAttribute("role", "region");
    canvas.setAttribute("aria-label", data.mapLabel);
    map = L.map(canvas, { scrollWheelZoom: false });
    L.tileLayer(tiles.url, {
      attribution: tiles.attribution,
      maxZoom: 19,
      // The tile server learns which site asks (its usage policies want that), never the search.
      referrerPolicy: "strict-origin-when-cross-origin",
    }).addTo(map);

    var origin = [parseFloat(results.dataset.originLat), parseFloat(results.dataset.originLng)];
    // The view first: Leaflet puts markers in the page only once the map has one.
    var bounds = L.latLngBounds([origin]);
    groups.forEach(function (group) {
      bounds.extend([group.lat, group.lng]);
    });
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });

    var centre = L.marker(origin, {
      icon: L.divIcon({ className: "map-origin", iconSize: [22, 22], html: "" }),
      interactive: false,
      keyboard: false,
    }).addTo(map);
    centre.getElement().setAttribute("role", "img");
    centre.getElement().setAttribute("aria-label", data.originLabel);

    groups.forEach(function (group) {
      var text = compact(group.numbers);
      var icon = L.divIcon({
        className: "map-pin",
        html: "<span>" + text + "</span>",
        iconSize: [Math.max(30, 12 + 8 * text.length), 30],
      });
      group.marker = L.marker([group.lat, group.lng], { icon: icon, keyboard: true }).addTo(map);
      group.element = group.marker.getElement();
      group.element.setAttribute("role", "button");
      group.element.setAttribute("aria-label", label(group));
      group.element.removeAttribute("title");
      group.marker.on("click", function () {
        select(group, true);
      });
      group.element.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select(group, true);
        }
      });
    });
  }

  // A card picked in the list shows its pin, while the map is open.
  groups.forEach(function (group) {
    group.cards.forEach(function (card) {
      card.addEventListener("focusin", function () {
        if (map && !canvas.hidden) select(group, false);
      });
      card.addEventListener("click", function () {
        if (map && !canvas.hidden) select(group, false);
      });
    });
  });

  button.addEventListener("click", function () {
    var open = canvas.hidden;
    canvas.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? data.hideLabel : data.showLabel;
    panel.classList.toggle("is-open", open);
    if (!open) return;
    if (!map) build();
    else map.invalidateSize();
  });
})();
