// The competency chooser on the evidence form: a search box that narrows the list and a
// running count of the competencies chosen. Progressive enhancement only: without this
// file every competency is listed, and the server enforces the link limit either way.

function initChooser(chooser) {
  const max = Number(chooser.dataset.maxLinks);
  const items = [...chooser.querySelectorAll(".nhsuk-checkboxes__item")];
  const domains = [...chooser.querySelectorAll(".app-chooser__domain")];
  const anchor = chooser.querySelector(".nhsuk-error-message") || chooser.querySelector(".nhsuk-hint");

  const group = document.createElement("div");
  group.className = "nhsuk-form-group nhsuk-u-margin-bottom-2";
  const label = document.createElement("label");
  label.className = "nhsuk-label";
  label.htmlFor = "competency-search";
  label.textContent = "Search competencies";
  const input = document.createElement("input");
  input.className = "nhsuk-input nhsuk-u-width-two-thirds";
  input.id = "competency-search";
  input.type = "search";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("aria-describedby", "competency-search-status");
  group.append(label, input);
  const status = document.createElement("p");
  status.id = "competency-search-status";
  status.className = "nhsuk-body-s";
  status.setAttribute("aria-live", "polite");
  anchor.after(group, status);

  const checkbox = (item) => item.querySelector("input[type=checkbox]");

  function update() {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const text = item.textContent.toLowerCase();
      // A chosen competency stays in view, so its note is never hidden by a search.
      const match = checkbox(item).checked || words.every((word) => text.includes(word));
      item.hidden = !match;
      if (match) shown += 1;
    }
    for (const domain of domains) {
      domain.hidden = !domain.querySelector(".nhsuk-checkboxes__item:not([hidden])");
    }
    const chosen = items.filter((item) => checkbox(item).checked).length;
    let message = `${chosen} of ${max} chosen.`;
    if (chosen > max) message = `${chosen} chosen: choose no more than ${max}.`;
    if (words.length) message = `${shown} of ${items.length} competencies shown. ${message}`;
    status.textContent = message;
  }

  input.addEventListener("input", update);
  // Enter in the search box must not save the whole evidence form.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
  chooser.addEventListener("change", update);
  update();
}

export function initCompetencyChoosers(root = document) {
  root.querySelectorAll('[data-module="app-competency-chooser"]').forEach(initChooser);
}
