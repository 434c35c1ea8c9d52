// The design system's stylesheet cut down to the selectors Insieme's pages can use (`make assets`):
// 612 kB (90 kB compressed) down to about 75 kB (19 kB compressed). PurgeCSS keeps a rule when its
// classes, ids and elements appear anywhere in the content below: templates, Python (forms give
// widgets their classes) and our scripts. Classes built at render time from parts go in the
// safelist. A page that starts using another Bootstrap Italia class needs `make assets` again.
// (Named exports: the purgecss command spreads the module it imports.)
export const content = [
  "insieme/**/templates/**/*.html",
  "insieme/**/*.py",
  "insieme/static/insieme/**/*.js",
  "node_modules/bootstrap-italia/dist/plugins/track-focus.js",
];
export const css = ["node_modules/bootstrap-italia/dist/css/bootstrap-italia.min.css"];
export const output = "var/assets/";
// alert-{{ message.tags }}: success, info, warning, danger
export const safelist = { standard: [/^alert-/] };
export const keyframes = true;
