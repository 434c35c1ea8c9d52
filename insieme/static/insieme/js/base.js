// The design system's scripts every page uses, loaded as the ES modules Bootstrap Italia ships
// (dist/plugins), not its whole bundle: the bundle weighed about 290 kB compressed, and its
// bundled libraries injected <style> elements that the Content Security Policy refuses.
//
// Track focus: marks focus that came from the mouse (data-focus-mouse), so that the design
// system's focus ring shows for the keyboard only.
// A page that needs another component imports it from its own module (see docs/development.md).
import "../../vendor/bootstrap-italia/plugins/track-focus.js";

// A link to a part of a page (the work queue's page links go to #queue-results) leaves focus
// there once the page has loaded, so that keyboard and screen-reader users go on from the part
// the link named. Only targets made focusable for this (tabindex="-1") take focus.
const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
if (target && target.getAttribute("tabindex") === "-1") {
  target.focus();
}
