// What this device keeps for the signed-in person, all in localStorage under "pcpt:":
// - "pcpt:typing:<form>": a copy of a form as it is typed, until the server has it;
// - "pcpt:queue": notes written offline, waiting to upload;
// and, in the Cache API, the pages kept for writing notes offline (see shell.js).
// Signing out clears all of it (and the server's Clear-Site-Data header does too).

const PREFIX = "pcpt:";
export const PAGE_CACHE = "pcpt-pages";

export const signedInUser = () => document.body.dataset.user || null;

export function read(name) {
  try {
    return JSON.parse(localStorage.getItem(PREFIX + name));
  } catch {
    return null;
  }
}

export function write(name, value) {
  try {
    localStorage.setItem(PREFIX + name, JSON.stringify(value));
    return true;
  } catch {
    return false; // storage full or switched off: the page still works, as without script
  }
}

export function forget(name) {
  localStorage.removeItem(PREFIX + name);
}

export function names(start) {
  const found = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (key && key.startsWith(PREFIX + start)) found.push(key.slice(PREFIX.length));
  }
  return found;
}

// Everything this service keeps on the device: stored notes and copies, kept pages.
export async function clearDevice() {
  for (const name of names("")) forget(name);
  if ("caches" in window) {
    for (const key of await caches.keys()) await caches.delete(key);
  }
}

// A different person signed in on this device: what the last one left is not theirs.
export function forgetOtherPeople() {
  const user = signedInUser();
  if (!user) return;
  const owner = read("owner");
  if (owner && owner !== user) {
    for (const name of names("")) forget(name);
  }
  write("owner", user);
}

// The server's idle clock restarts with every request; idle.js counts from the latest.
let lastContact = Date.now();
const contactListeners = [];

export function serverContacted() {
  lastContact = Date.now();
  for (const listener of contactListeners) listener(lastContact);
}

export const lastServerContact = () => lastContact;
export const onServerContact = (listener) => contactListeners.push(listener);

export function csrfTokenIn(root = document) {
  const input = root.querySelector("input[name=csrf_token]");
  return input ? input.value : "";
}

export function timeNow() {
  return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// A POST from the page's script, as the form would send it. Answers with what happened:
// "saved" (and the JSON), "refused" (and the JSON), "signed-out", "expired-page" or
// "unreachable".
export async function post(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json" },
    });
  } catch {
    return { outcome: "unreachable" };
  }
  // Signed out: the server sends the request to the sign-in page.
  if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
    return { outcome: "signed-out" };
  }
  serverContacted();
  const json = (response.headers.get("content-type") || "").includes("json")
    ? await response.json().catch(() => null)
    : null;
  if (response.ok && json) return { outcome: json.saved === false ? "refused" : "saved", json };
  if (response.status === 400) return { outcome: "expired-page" };
  return { outcome: "unreachable" };
}
