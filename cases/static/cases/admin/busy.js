// Feedback while the server works: the first search or ingest after a restart loads the
// dictionaries and the gazetteer and can take several seconds. Never leave an editor staring at
// a page that seems to do nothing: say what is happening and stop a second submission.
(function () {
  "use strict";
  var SELECTORS = "form#ingest-form, form#changelist-search";
  var TEXT = "正在处理，请稍候… Working — the first search or ingest after a restart loads the dictionaries " +
    "and can take up to 15 seconds.";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches(SELECTORS)) {
      return;
    }
    if (form.dataset.busy === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.busy = "1";
    var note = document.createElement("p");
    note.className = "busy-note help";
    note.setAttribute("role", "status");
    note.textContent = TEXT;
    form.appendChild(note);
    form.querySelectorAll("input[type=submit], button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
      button.style.opacity = "0.6";
    });
    document.body.style.cursor = "progress";
  }, true);
})();
