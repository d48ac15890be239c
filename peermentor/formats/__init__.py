"""One way to write dates and times in every language the site speaks ("7 Dec 2026",
"7 Dec 2026, 08:30"), named by FORMAT_MODULE_PATH. Without it English pages would mix
Django's "Dec. 7, 2026" with the templates' "7 Dec 2026"."""
