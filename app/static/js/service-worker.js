// The service worker (served at /service-worker.js, so it controls every page).
// Online, every request goes to the network as if it were not here. Offline:
// - the app's own files (under /static) come from the copy made when they last loaded;
// - "Add evidence" and the forms for notes come from the copies the page kept
//   (js/offline/shell.js, cache "pcpt-pages", cleared at sign-out);
// - any other page answers with /offline, kept at install, which says what still works.
// Nothing is sent or stored here: notes wait in the page's own storage (js/offline/queue.js).

const SHELL_CACHE = "pcpt-shell-v1";
const PAGE_CACHE = "pcpt-pages";
const OFFLINE_PAGE = "/offline";
const ADD_EVIDENCE = "/portfolio/evidence/new";
const SHELL_FILES = [
  OFFLINE_PAGE,
  "/static/nhsuk/nhsuk-frontend.min.css",
  "/static/nhsuk/nhsuk-frontend.min.js",
  "/static/css/app.css",
  "/static/css/offline.css",
  "/static/js/app.js",
  "/static/js/competency-chooser.js",
  "/static/js/offline/device.js",
  "/static/js/offline/idle.js",
  "/static/js/offline/queue.js",
  "/static/js/offline/shell.js",
  "/static/js/offline/typing.js",
  "/static/nhsuk/images/favicon.ico",
  "/static/nhsuk/images/favicon.svg",
  "/static/nhsuk/images/nhsuk-icon-192.png",
  // Drawn by NHS.UK's stylesheet.
  "/static/nhsuk/images/nhsuk-icon-arrow-down.svg",
  "/static/nhsuk/images/nhsuk-icon-arrow-up-down.svg",
  "/static/nhsuk/images/nhsuk-icon-arrow-up.svg",
  "/static/nhsuk/images/nhsuk-icon-cross.svg",
];

self.addEventListener("install", (event) => {
  // Without cookies: the offline page is kept as anyone would see it, with nobody's name.
  const requests = SHELL_FILES.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(requests)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith("pcpt-shell-") && key !== SHELL_CACHE).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

// "Add evidence" sends its choice as ?type=...; offline, that is the kept form of that type.
async function keptPage(url) {
  const pages = await caches.open(PAGE_CACHE);
  if (url.pathname === ADD_EVIDENCE && url.searchParams.get("type")) {
    const form = await pages.match(`${ADD_EVIDENCE}/${encodeURIComponent(url.searchParams.get("type"))}`);
    if (form) return form;
  }
  return (await pages.match(url.pathname, { ignoreSearch: true })) || caches.match(OFFLINE_PAGE);
}

async function keptCopy(request) {
  if (request.mode === "navigate") return keptPage(new URL(request.url));
  return caches.match(request, { ignoreSearch: true });
}

async function fromNetworkElseKept(request) {
  // Known to be offline: straight to the kept copy, without a request bound to fail.
  if (!self.navigator.onLine) {
    const kept = await keptCopy(request);
    if (kept) return kept;
  }
  try {
    const response = await fetch(request);
    if (request.url.includes("/static/") && response.ok) {
      const copy = response.clone();
      caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (error) {
    const kept = await keptCopy(request);
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (event.request.mode === "navigate" || url.pathname.startsWith("/static/")) {
    event.respondWith(fromNetworkElseKept(event.request));
  }
});
