// The site's root page. The browser's language decides only on a reader's
// first visit; from then on the stored edition (which the language switcher
// updates whenever the reader picks one) decides, so a manual choice is never
// overridden. Without JavaScript or storage the page just shows both links.
(function () {
  const KEY = "lacbook-lang";
  const editions = ["en", "es"];
  let choice;
  try {
    choice = localStorage.getItem(KEY);
    if (!editions.includes(choice)) {
      const preferred = (navigator.languages || [navigator.language || "en"]).map((l) => l.slice(0, 2));
      choice = preferred.find((l) => editions.includes(l)) || "en";
      localStorage.setItem(KEY, choice);
    }
  } catch (_) {
    return;
  }
  location.replace(choice + "/index.html");
})();
