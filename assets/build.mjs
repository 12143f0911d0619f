// Build Divert's front-end assets into divert/static/dist/ (committed, so
// Python-only machines never need Node). Run with `npm run build`.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nhsuk = join(root, "node_modules/nhsuk-frontend/dist/nhsuk");
const out = join(root, "divert/static/dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// (a) Sass -> compressed CSS, no source map.
const { css } = sass.compile(join(root, "assets/scss/main.scss"), {
  style: "compressed",
  loadPaths: [join(root, "node_modules")],
  sourceMap: false,
  quietDeps: true,
});
if (/url\((?!["']?(?:data:|assets\/))/.test(css)) {
  throw new Error("main.css references a non-local url(); check font/asset settings");
}
writeFileSync(join(out, "main.css"), css + "\n");

// (b) NHS.UK frontend JS: the ES module bundle (it `export`s initAll etc.,
// so it must be loaded with type="module"). The source map is not shipped,
// so its sourceMappingURL comment is dropped. divert-init.js is a tiny
// module that starts it, so no inline script is needed under CSP 'self'.
const bundle = readFileSync(join(nhsuk, "nhsuk-frontend.min.js"), "utf8");
writeFileSync(
  join(out, "nhsuk-frontend.min.js"),
  bundle.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"),
);
writeFileSync(
  join(out, "divert-init.js"),
  [
    'import { initAll } from "./nhsuk-frontend.min.js";',
    "// Same classes as the template's inline script, in case CSP blocked it.",
    'document.body.classList.add("js-enabled", "nhsuk-frontend-supported");',
    "initAll();",
    "",
  ].join("\n"),
);

// (c) Images, icons and manifest, without source maps.
cpSync(join(nhsuk, "assets"), join(out, "assets"), {
  recursive: true,
  filter: (src) => !src.endsWith(".map"),
});

console.log(`Built ${out}`);
