import { initAll } from "./nhsuk-frontend.min.js";
// Same classes as the template's inline script, in case CSP blocked it.
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
