// Slims the theme's assets in one built edition, in place (run by
// lacbook.pagescripts.slim_theme once every page is written):
// - PurgeCSS drops the CSS rules that no page and no script of the edition
//   names (the theme ships all of Bootstrap: ~400 KB of CSS on every page);
//   scripts count as content, so classes they add at run time are kept;
// - subset-font keeps, in the theme's icon fonts, only the glyphs that the
//   remaining CSS puts in `content` (admonition and link icons): ~150 KB less.
// usage: node slim-theme.mjs EDITION_FOLDER
import {readFileSync, writeFileSync, readdirSync} from "node:fs";
import {join} from "node:path";
import {PurgeCSS} from "purgecss";
import subsetFont from "subset-font";

// Pages count by their markup (tags and inline scripts, without the attributes that hold
// prose: descriptions, alternative texts, titles; nor the checksums of asset links), not by
// their prose: the words of a paragraph name no CSS rule, and leaving them out lets the
// build reuse this result after a prose edit (the same patterns are in pagescripts.py).
const markup = (content) =>
  (content.match(/<script[\s\S]*?<\/script>|<[^>]+>/g) || [])
    .map((tag) => tag.replace(/\s(?:content|alt|title|aria-label)="[^"]*"|\?(?:v|digest)=[0-9a-f]+/g, ""))
    .join(" ").match(/[A-Za-z0-9_-]+/g) || [];

const site = process.argv[2];
const purged = await new PurgeCSS().purge({
  content: [`${site}/**/*.html`, `${site}/_static/**/*.js`],
  css: [`${site}/_static/**/*.css`],
  extractors: [{extractor: markup, extensions: ["html"]}],
});
let kept = "";
for (const {file, css} of purged) {
  writeFileSync(file, css);
  kept += css;
}

// Icon glyphs sit in Unicode's private use area, written as escapes ("\f0eb")
// or, after minifying, as the character itself.
const glyphs = new Set([...kept.matchAll(/\\([0-9a-fA-F]{4,6})/g)].map((m) => String.fromCodePoint(parseInt(m[1], 16))));
for (const char of kept) {
  if (char >= "\ue000" && char <= "\uf8ff") glyphs.add(char);
}
const fonts = join(site, "_static", "vendor", "fontawesome", "webfonts");
for (const name of readdirSync(fonts)) {
  const format = name.endsWith(".woff2") ? "woff2" : name.endsWith(".ttf") ? "truetype" : null;
  if (!format) continue;
  const path = join(fonts, name);
  writeFileSync(path, await subsetFont(readFileSync(path), [...glyphs].join(""), {targetFormat: format}));
}
console.log(`slimmed ${site}: ${purged.length} stylesheets, ${glyphs.size} icon glyphs kept`);
