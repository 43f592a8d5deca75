// The error summary, made easier to use where JavaScript runs (the form works without it:
// the summary is then simply the first thing in the page). GOV.UK's error summary does the same.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  // Take people (and screen readers) straight to what needs fixing.
  summary.focus();
  // A link to a field focuses the field itself (a link to a group, its first choice), and
  // scrolls so that the question's label or legend stays in view above it.
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    var field = target.matches("input, select, textarea")
      ? target : target.querySelector("input, select, textarea");
    if (!field) {
      return;
    }
    event.preventDefault();
    var caption = target.matches("fieldset")
      ? target.querySelector("legend") : (field.labels && field.labels[0]);
    (caption || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
