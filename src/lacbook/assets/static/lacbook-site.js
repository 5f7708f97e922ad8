// Remembers the edition a reader picks in the language switcher, so the
// site's root page never overrides that choice with the browser's language.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-lacbook-lang]");
  if (link) {
    try {
      localStorage.setItem("lacbook-lang", link.dataset.lacbookLang);
    } catch (_) {
      // Storage may be disabled; the link still works.
    }
  }
});
