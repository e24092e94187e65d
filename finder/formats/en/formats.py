"""English dates as Canadian patients read them: "January 5, 2026", not "Jan. 5, 2026"."""

DATE_FORMAT = "F j, Y"
