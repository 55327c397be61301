// Never lose typing: the evidence form is saved as the trainee types (to the server once
// it pauses, to this device at every keystroke), put back after a sign-in that expired
// mid-sentence, and, with no connection, saved as a note waiting to upload (queue.js).
// Without this file the form posts as it always did.

import * as device from "./device.js";
import { addToQueue, queuedNote, removeFromQueue, renderQueues, sendQueued } from "./queue.js";

const PAUSE_MS = 1500;
const forms = () => [...document.querySelectorAll('form[data-module="app-typing"]')];
const copyName = (form) => `typing:${form.dataset.draftKey}`;
const keyInput = (form) => form.querySelector("input[name=client_key]");

// The form's answers as name/value pairs (no CSRF token, no file: a file stays online-only).
export function answersOf(form) {
  const pairs = [];
  for (const [name, value] of new FormData(form)) {
    if (name !== "csrf_token" && !(value instanceof File)) pairs.push([name, value]);
  }
  return pairs;
}

function fill(form, pairs) {
  for (const element of form.elements) {
    if (!element.name || element.type === "file" || element.name === "csrf_token") continue;
    const values = pairs.filter(([name]) => name === element.name).map(([, value]) => value);
    if (element.type === "checkbox") element.checked = values.includes(element.value);
    else if (element.type === "radio") {
      if (values.length) element.checked = values.includes(element.value);
    } else if (values.length) element.value = values[0];
  }
}

function say(form, text, link) {
  const status = form.querySelector("#typing-status");
  if (!status) return;
  status.textContent = text;
  if (link) {
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    status.append(" ", a);
  }
}

// Before NHS.UK's script starts: a put-back answer opens its conditional note as usual.
export function restoreTyping() {
  forgetSavedCopies();
  for (const form of forms()) {
    const input = keyInput(form);
    const address = new URL(location.href);
    const note = queuedNote(address.searchParams.get("note"));
    const copy = device.read(copyName(form));
    let restored = null;
    if (note && note.formUrl === address.pathname) {
      restored = { fields: note.fields, clientKey: note.clientKey, at: note.queuedAt };
      removeFromQueue(note.clientKey);
    } else if (
      copy && copy.user === device.signedInUser() && "freshForm" in form.dataset &&
      // Online, a copy the server already has is in "My evidence"; offline, it is only here.
      (copy.unsaved || !navigator.onLine)
    ) {
      restored = { fields: copy.fields, clientKey: copy.clientKey, at: copy.typedAt };
    }
    if (restored) {
      fill(form, restored.fields);
      if (input && restored.clientKey) input.value = restored.clientKey;
      form.dataset.restoredAt = restored.at;
    }
    if (input && !input.value) input.value = device.newKey();
  }
}

function forgetSavedCopies() {
  for (const saved of document.querySelectorAll('[data-module="app-saved-evidence"]')) {
    const { evidenceId, clientKey } = saved.dataset;
    for (const name of device.names("typing:")) {
      const copy = device.read(name);
      if (copy && ((clientKey && copy.clientKey === clientKey) || copy.evidenceId === evidenceId)) {
        device.forget(name);
      }
    }
    if (clientKey) removeFromQueue(clientKey);
  }
}

function startForm(form) {
  const url = form.dataset.autosaveUrl;
  let timer = null;
  let edits = 0;
  // Once signed out (or the page's token is stale), only this device keeps the typing:
  // the server would refuse every save until the page is loaded again.
  let serverGone = null;

  const remember = (unsaved) => {
    const copy = device.read(copyName(form)) || {};
    device.write(copyName(form), {
      user: device.signedInUser(),
      clientKey: keyInput(form) ? keyInput(form).value : null,
      evidenceId: form.dataset.evidenceId || copy.evidenceId || null,
      fields: answersOf(form),
      typedAt: device.timeNow(),
      unsaved,
    });
  };

  async function saveNow() {
    clearTimeout(timer);
    const edit = edits;
    if (!url) {
      say(form, `Kept on this device at ${device.timeNow()}. Press the button below to save your changes.`);
      return;
    }
    if (serverGone) {
      say(form, ...serverGone);
      return;
    }
    if (!navigator.onLine) {
      say(form, `No connection: kept on this device at ${device.timeNow()}. It is saved to your portfolio when you are back online.`);
      return;
    }
    const body = new FormData(form);
    body.delete("attachment");
    const result = await device.post(url, body);
    if (result.outcome === "saved") {
      if (edit === edits) remember(false);
      const copy = device.read(copyName(form));
      if (copy) device.write(copyName(form), { ...copy, evidenceId: String(result.json.evidence_id) });
      say(form, `Saved at ${device.timeNow()}`);
    } else if (result.outcome === "refused") {
      say(form, `Not saved yet: ${result.json.message}. What you typed is kept on this device.`);
    } else if (result.outcome === "signed-out") {
      const next = location.pathname + location.search;
      serverGone = [
        "You were signed out, so what you typed is kept on this device only. Sign in again and the form comes back as you left it.",
        { href: `${document.body.dataset.signInUrl}?next=${encodeURIComponent(next)}`, text: "Sign in again" },
      ];
      say(form, ...serverGone);
      document.dispatchEvent(new CustomEvent("pcpt:signed-out"));
    } else if (result.outcome === "expired-page") {
      serverGone = ["What you typed is kept on this device. Reload the page to carry on saving to your portfolio."];
      say(form, ...serverGone);
    } else {
      say(form, `No connection: kept on this device at ${device.timeNow()}. It is saved to your portfolio when you are back online.`);
    }
  }

  const changed = (event) => {
    if (event.target.type === "file" || event.target.id === "competency-search") return;
    edits += 1;
    remember(true);
    clearTimeout(timer);
    timer = setTimeout(saveNow, PAUSE_MS);
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  window.addEventListener("online", () => {
    const copy = device.read(copyName(form));
    if (copy && copy.unsaved) saveNow();
  });

  form.addEventListener("submit", (event) => {
    if (navigator.onLine || !("offlineCapable" in form.dataset)) return;
    event.preventDefault();
    const fields = answersOf(form);
    const title = (fields.find(([name]) => name === "title") || [])[1] || "";
    addToQueue({
      user: device.signedInUser(),
      clientKey: keyInput(form).value,
      url,
      formUrl: location.pathname,
      typeLabel: form.dataset.typeLabel,
      title: title.trim() || "Untitled note",
      fields,
      queuedAt: device.timeNow(),
    });
    device.forget(copyName(form));
    form.reset();
    keyInput(form).value = device.newKey();
    say(form, "");
    renderQueues(`Your note “${title.trim() || "Untitled note"}” is kept on this device, waiting to upload.`, true);
  });

  if (form.dataset.restoredAt) {
    say(form, `We put back what you typed on this device at ${form.dataset.restoredAt}.`);
    edits += 1;
    remember(true);
    timer = setTimeout(saveNow, PAUSE_MS);
  }
}

export function startTyping() {
  forms().forEach(startForm);
  renderQueues();
  sendQueued();
  window.addEventListener("online", () => sendQueued());
}
