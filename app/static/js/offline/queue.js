// Notes written with no connection wait here ("pcpt:queue" on this device) and are sent,
// each with the key the browser gave it, once the connection is back: the server stores a
// key once, so a retry or a second tab sending the same note never makes a second draft.
// A note the server refuses stays, with the server's message, until the trainee changes it.

import * as device from "./device.js";

const uploaded = [];

const everyNote = () => device.read("queue") || [];
export const queued = () => everyNote().filter((note) => note.user === device.signedInUser());
export const queuedNote = (key) => (key ? queued().find((note) => note.clientKey === key) : null);

export function addToQueue(note) {
  device.write("queue", [...everyNote().filter((n) => n.clientKey !== note.clientKey), note]);
}

export function removeFromQueue(key) {
  const notes = everyNote();
  const kept = notes.filter((note) => note.clientKey !== key);
  if (kept.length !== notes.length) device.write("queue", kept);
}

function update(key, changes) {
  device.write("queue", everyNote().map((n) => (n.clientKey === key ? { ...n, ...changes } : n)));
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text) made.textContent = text;
  return made;
}

function noteItem(note) {
  const item = element("li", "app-offline-queue__note");
  const heading = element("p", "nhsuk-u-margin-bottom-1");
  heading.append(element("strong", "", note.title), ` (${note.typeLabel}), written at ${note.queuedAt}`);
  item.append(heading);
  const state = element("p", "nhsuk-u-margin-bottom-1");
  if (note.refusal) {
    state.append(element("strong", "nhsuk-tag nhsuk-tag--red", "Not uploaded"), ` ${note.refusal}`);
    const change = element("a", "", "Change this note");
    change.href = `${note.formUrl}?note=${encodeURIComponent(note.clientKey)}`;
    const advice = element("p", "nhsuk-u-margin-bottom-1", "Your text is kept on this device. ");
    advice.append(change);
    item.append(state, advice);
  } else {
    state.append(element("strong", "nhsuk-tag nhsuk-tag--grey", "Waiting to upload"));
    item.append(state);
  }
  return item;
}

// Draws the list into every [data-module=app-offline-queue]; `notice` says what just
// happened, announced politely; `focus` moves focus to the list's heading.
export function renderQueues(notice = "", focus = false) {
  const notes = queued();
  for (const container of document.querySelectorAll('[data-module="app-offline-queue"]')) {
    container.hidden = false;
    container.replaceChildren();
    const status = element("div", "app-offline-queue__status");
    status.setAttribute("role", "status");
    container.append(status);
    if (!notes.length && !uploaded.length && !notice) continue;
    const card = element("div", "nhsuk-card app-offline-queue");
    const content = element("div", "nhsuk-card__content");
    card.append(content);
    const heading = element("h2", "nhsuk-card__heading", notes.length ? "Waiting to upload" : "Notes uploaded");
    heading.tabIndex = -1;
    content.append(heading);
    if (notes.length) {
      content.append(
        element("p", "", navigator.onLine
          ? "These notes are kept on this device and are being sent to your portfolio as drafts."
          : "You are offline. These notes are kept on this device and are sent to your portfolio as drafts when you are back online."),
      );
      const list = element("ul", "nhsuk-list");
      notes.forEach((note) => list.append(noteItem(note)));
      content.append(list);
    }
    if (uploaded.length) {
      const list = element("ul", "nhsuk-list");
      for (const done of uploaded) {
        const item = element("li");
        const link = element("a", "", done.title);
        link.href = done.url;
        item.append(element("strong", "nhsuk-tag nhsuk-tag--green", "Uploaded"), " Saved as a draft: ", link);
        list.append(item);
      }
      content.append(list);
    }
    container.append(card);
    if (notice) setTimeout(() => { status.textContent = notice; }, 50);
    if (focus) heading.focus();
  }
}

// A CSRF token of this session, from the page the device keeps for offline use.
async function freshToken() {
  const shell = document.body.dataset.offlineShell;
  if (!shell) return null;
  try {
    const response = await fetch(shell, { credentials: "same-origin", cache: "no-store", redirect: "manual" });
    if (!response.ok) return null;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    return device.csrfTokenIn(page) || null;
  } catch {
    return null;
  }
}

async function sendAll() {
  if (!queued().some((note) => !note.refusal)) return;
  const token = await freshToken();
  if (!token) return;
  let sent = 0;
  // Read again inside the lock: another tab may have sent some already.
  for (const note of queued().filter((n) => !n.refusal)) {
    const body = new FormData();
    for (const [name, value] of note.fields) body.append(name, value);
    body.set("client_key", note.clientKey);
    body.set("csrf_token", token);
    const result = await device.post(note.url, body);
    if (result.outcome === "saved") {
      removeFromQueue(note.clientKey);
      uploaded.push({ title: note.title, url: result.json.detail_url });
      sent += 1;
    } else if (result.outcome === "refused") {
      update(note.clientKey, { refusal: result.json.message });
    } else {
      break; // unreachable or signed out: try again when the connection or session is back
    }
  }
  const refused = queued().filter((n) => n.refusal).length;
  renderQueues(
    [sent ? `${sent} ${sent === 1 ? "note" : "notes"} uploaded as drafts.` : "",
      refused ? `${refused} ${refused === 1 ? "note was" : "notes were"} not uploaded: see why below.` : ""]
      .filter(Boolean).join(" "),
  );
}

export async function sendQueued() {
  if (!navigator.onLine || !device.signedInUser()) return;
  if (navigator.locks) await navigator.locks.request("pcpt-offline-upload", sendAll);
  else await sendAll();
}

window.addEventListener("storage", (event) => {
  if (event.key === "pcpt:queue") renderQueues();
});
