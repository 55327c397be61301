// The installable app's side of the page: registering the service worker, keeping the
// "Add evidence" pages on the device for use offline, and clearing the device at sign-out.

import * as device from "./device.js";

const KEEP_EVERY_MS = 10 * 60 * 1000;

export function registerServiceWorker() {
  const url = document.body.dataset.serviceWorker;
  if (url && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(() => {});
  }
}

async function keep(cache, url) {
  const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
  if (!response.ok || response.type !== "basic") return null;
  await cache.put(url, response.clone());
  return response;
}

// "Add evidence" and the forms of the types a note can be written in, as last seen: the
// framework's competencies come with them. Refreshed at most every ten minutes, and on
// the "Add evidence" page itself.
export async function keepPagesForOffline() {
  const shell = document.body.dataset.offlineShell;
  if (!shell || !("caches" in window) || !navigator.onLine) return;
  const onShell = location.pathname === shell;
  if (!onShell && Date.now() - (device.read("pages-kept-at") || 0) < KEEP_EVERY_MS) return;
  try {
    const cache = await caches.open(device.PAGE_CACHE);
    const page = await keep(cache, shell);
    if (!page) return;
    const html = new DOMParser().parseFromString(await page.text(), "text/html");
    const holder = html.querySelector("[data-offline-pages]");
    const urls = holder ? JSON.parse(holder.dataset.offlinePages) : [];
    for (const url of urls) await keep(cache, url);
    // A type the framework no longer lists is not kept.
    for (const request of await cache.keys()) {
      const path = new URL(request.url).pathname;
      if (path !== shell && !urls.includes(path)) await cache.delete(request);
    }
    device.write("pages-kept-at", Date.now());
    const ready = document.querySelector("[data-offline-ready]");
    if (ready && urls.length) ready.hidden = false;
  } catch {
    // Offline or storage refused: the pages work online as ever.
  }
}

export function clearDeviceOnSignOut() {
  for (const form of document.querySelectorAll("form[data-sign-out]")) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.cleared) return;
      event.preventDefault();
      device.clearDevice().finally(() => {
        form.dataset.cleared = "true";
        form.submit();
      });
    });
  }
}
