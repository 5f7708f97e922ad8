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

// Numbers in the text (lacbook.prose.figure_markup) show their source on hover and on
// keyboard focus (lacbook.css). On a touch screen the first tap opens the note and a
// second tap, on the number or on its note, follows the link to the figure's row on the
// Data page; Escape closes it.
document.addEventListener("click", (event) => {
  const number = event.target.closest(".lacbook-number");
  document.querySelectorAll(".lacbook-number.is-open").forEach((open) => {
    if (open !== number) open.classList.remove("is-open");
  });
  if (number && number.classList.contains("is-open") && event.target.closest(".lacbook-number__note")) {
    window.location.href = number.querySelector(".lacbook-number__link").href;
    return;
  }
  if (!number || !event.target.closest(".lacbook-number__link")) return;
  if (window.matchMedia("(hover: none)").matches && !number.classList.contains("is-open")) {
    event.preventDefault();
    number.classList.remove("is-closed");
    number.classList.add("is-open");
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".lacbook-number:hover, .lacbook-number:focus-within, .lacbook-number.is-open")
    .forEach((number) => {
      number.classList.remove("is-open");
      number.classList.add("is-closed");
    });
});
for (const type of ["mouseout", "focusout"]) {
  document.addEventListener(type, (event) => {
    const number = event.target.closest && event.target.closest(".lacbook-number");
    if (number && !number.contains(event.relatedTarget)) number.classList.remove("is-closed");
  });
}
