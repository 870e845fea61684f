// Nông Sản Bot sandbox: one person plays the farmer, the buyer and the
// moderator. Messages go out as JSON (api/send) and every message of the
// sandbox, the bot's and the personas', comes back as server-sent events
// (api/events), replayed on reload. Plain JS, no framework, no build step.
"use strict";

(function () {
  const root = document.body.dataset.root || "";
  const origin = document.body.dataset.origin || ""; // PUBLIC_BASE_URL's, which the bot's texts link from
  const api = root + "/sandbox/api/";
  const S = JSON.parse(document.getElementById("strings").textContent);
  const personas = ["farmer", "buyer", "moderator"];

  let persona = "farmer"; // who the page plays
  let view = "chat"; // where the composer writes: the persona's private chat, or the market group

  // One list per chat, kept off screen while another persona plays.
  const logs = {};
  const keyboards = {}; // chat → the last keyboard message
  let menuOpen = false; // whether the main menu is unfolded
  const byId = new Map(); // message id → its element, for edits
  for (const c of personas.concat(["market"])) {
    logs[c] = document.createElement("ol");
    logs[c].className = "log";
    logs[c].setAttribute("aria-live", "polite");
  }

  const chatPane = document.getElementById("chat");
  const marketPane = document.getElementById("market");
  const notice = document.getElementById("notice");
  const text = document.getElementById("text");
  const photo = document.getElementById("photo");
  const dialog = document.getElementById("reset-dialog");

  function el(tag, cls, content) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content) e.textContent = content;
    return e;
  }

  function show() {
    chatPane.querySelector(".log").replaceWith(logs[persona]);
    marketPane.querySelector(".log").replaceWith(logs.market);
    drawKeyboard(chatPane, persona);
    drawKeyboard(marketPane, "market");
    for (const b of document.querySelectorAll("button[data-persona]")) {
      b.setAttribute("aria-pressed", String(b.dataset.persona === persona));
    }
    for (const b of document.querySelectorAll("button[data-view]")) {
      b.setAttribute("aria-pressed", String(b.dataset.view === view));
    }
    chatPane.classList.toggle("active", view === "chat");
    marketPane.classList.toggle("active", view === "market");
    scrollDown();
  }

  function scrollDown() {
    for (const l of [logs[persona], logs.market]) {
      l.scrollTop = l.scrollHeight;
    }
  }

  function say(message) {
    notice.textContent = message;
    notice.hidden = !message;
  }

  // Text with its links made clickable; the rest stays text.
  function fill(node, s) {
    node.textContent = "";
    const re = /https?:\/\/[^\s<>"]+/g;
    let at = 0;
    for (const m of s.matchAll(re)) {
      node.append(s.slice(at, m.index));
      const href = here(m[0]);
      node.append(link(href, href, ""));
      at = m.index + m[0].length;
    }
    node.append(s.slice(at));
  }

  // A link to this site leads to the host the page was opened at: a phone
  // on the LAN opens the machine's address, and PUBLIC_BASE_URL may be
  // localhost, which on the phone is the phone.
  function here(href) {
    const rest = origin && href.startsWith(origin) ? href.slice(origin.length) : null;
    return rest !== null && /^($|[/?#])/.test(rest) ? location.origin + rest : href;
  }

  function link(href, label, cls) {
    const a = el("a", cls, label);
    a.href = href;
    if (!deepLink(href)) {
      a.target = "_blank";
      a.rel = "noopener";
    }
    return a;
  }

  // A link into the sandbox chat with a payload: opened in place, as the buyer.
  function deepLink(href) {
    try {
      const u = new URL(href, location.href);
      return u.pathname === root + "/sandbox" && u.searchParams.has("start") ? u.searchParams.get("start") : null;
    } catch (e) {
      return null;
    }
  }

  function body(m) {
    const parts = [];
    if (m.from === "me" && m.chat === "market") parts.push(el("span", "msg-who", S[m.persona] || m.persona));
    for (const src of m.photos || []) {
      const img = el("img", "msg-photo");
      img.src = src;
      img.alt = S.photo_alt;
      img.loading = "lazy";
      parts.push(img);
    }
    if (m.qr) {
      const img = el("img", "msg-photo qr");
      img.src = m.qr;
      img.alt = S.qr_alt;
      parts.push(img);
    }
    if (m.text) {
      const t = el("div", "msg-text");
      fill(t, m.text);
      parts.push(t);
    }
    if (m.buttons && m.buttons.length) {
      const box = el("div", "choices");
      for (const row of m.buttons) {
        const r = el("div", "choice-row");
        for (const b of row) {
          if (b.url) {
            r.append(link(b.url, b.label, "choice"));
          } else {
            const btn = el("button", "choice", b.label);
            btn.type = "button";
            btn.dataset.data = b.data;
            r.append(btn);
          }
        }
        box.append(r);
      }
      parts.push(box);
    }
    return parts;
  }

  function add(id, m) {
    if (m.kind === "reset") {
      // Said when something was cleared: a page loaded since has nothing to clear.
      if (byId.size) say(S.cleared);
      clear();
      return;
    }
    const log = logs[m.chat];
    if (!log) return;
    if (m.edit) {
      const old = byId.get(m.edit);
      if (!old) return;
      // An edit of a photo's caption keeps the photos it does not repeat.
      const kept = m.photos && m.photos.length ? [] : Array.from(old.querySelectorAll("img.msg-photo"));
      old.replaceChildren(...body(m));
      if (kept.length) old.prepend(...kept);
      return;
    }
    if (byId.has(id)) return; // seen before a reconnect
    const li = el("li", "msg");
    li.dataset.from = m.from;
    li.dataset.id = id;
    li.append(...body(m));
    byId.set(id, li);
    log.append(li);
    if (m.from === "bot" && (m.keyboard || m.contact || m.clear_keyboard)) keyboards[m.chat] = m;
    if (log === logs[persona]) drawKeyboard(chatPane, persona);
    if (log === logs.market) drawKeyboard(marketPane, "market");
    log.scrollTop = log.scrollHeight;
  }

  // The main menu, or the "share my phone number" button, under a chat.
  function drawKeyboard(pane, chat) {
    const box = pane.querySelector(".keyboard");
    box.replaceChildren();
    const m = keyboards[chat];
    if (!m || m.clear_keyboard) return;
    if (m.contact) {
      const b = el("button", "choice key contact", m.contact);
      b.type = "button";
      b.dataset.contact = "1";
      box.append(b);
      return;
    }
    // The menu folds away, so that a phone keeps room for the chat.
    const menu = el("details", "menu");
    menu.open = menuOpen;
    menu.addEventListener("toggle", function () {
      menuOpen = menu.open;
    });
    menu.append(el("summary", "", S.menu));
    const keys = el("div", "choice-row");
    for (const row of m.keyboard || []) {
      for (const label of row) {
        const b = el("button", "choice key", label);
        b.type = "button";
        b.dataset.text = label;
        keys.append(b);
      }
    }
    menu.append(keys);
    box.append(menu);
  }

  function clear() {
    for (const c in logs) logs[c].replaceChildren();
    for (const c in keyboards) delete keyboards[c];
    byId.clear();
    show();
  }

  async function post(path, init) {
    let resp;
    try {
      resp = await fetch(api + path, init);
    } catch (e) {
      say(S.offline);
      return null;
    }
    let out = {};
    try {
      out = await resp.json();
    } catch (e) {
      out = {};
    }
    if (!resp.ok) {
      say(out.error || S.busy);
      return null;
    }
    say("");
    return out;
  }

  function send(msg, where) {
    msg.persona = persona;
    msg.chat = (where || view) === "market" ? "market" : "private";
    return post("send", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(msg),
    });
  }

  // Persona and view switches.
  document.addEventListener("click", function (ev) {
    const target = ev.target.closest("button, a");
    if (!target) return;
    if (target.dataset.persona) {
      persona = target.dataset.persona;
      show();
      return;
    }
    if (target.dataset.view) {
      view = target.dataset.view;
      show();
      return;
    }
    const pane = target.closest(".pane");
    const where = pane && pane.id === "market" ? "market" : "chat";
    if (target.matches("a")) {
      const start = deepLink(target.href);
      if (start !== null) {
        ev.preventDefault();
        openStart(start);
      }
      return;
    }
    if (target.dataset.data !== undefined) {
      const li = target.closest(".msg");
      send({ data: target.dataset.data, label: target.textContent, message: li ? li.dataset.id : "" }, where);
    } else if (target.dataset.text !== undefined) {
      send({ text: target.dataset.text }, where);
    } else if (target.dataset.contact) {
      send({ contact: true }, where);
    }
  });

  // A deep link: the buyer opens the bot's chat with its payload.
  function openStart(payload) {
    persona = "buyer";
    view = "chat";
    show();
    send({ text: "/start " + payload }, "chat");
  }

  // What was typed stays in the box until the server has it: on 3G, or
  // after "too fast", the farmer sends it again without typing it again.
  document.getElementById("composer").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const value = text.value.trim();
    if (!value) return;
    if (await send({ text: value }) && text.value.trim() === value) text.value = "";
    text.focus();
  });

  // A photo made small before it goes (3G), upright as the phone took it
  // (the browser reads its orientation); the server checks and resizes it
  // again. Anything the browser cannot draw goes as it is, for the server
  // to judge.
  async function shrink(file) {
    try {
      const bmp = await createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, 1280 / Math.max(bmp.width, bmp.height));
      const c = document.createElement("canvas");
      c.width = Math.round(bmp.width * scale);
      c.height = Math.round(bmp.height * scale);
      c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
      const blob = await new Promise(function (done) {
        c.toBlob(done, "image/jpeg", 0.85);
      });
      return blob || file;
    } catch (e) {
      return file;
    }
  }

  // Photos, from the camera or the gallery: uploaded one by one, then sent
  // as one message (an album when several), with the typed text as caption.
  photo.addEventListener("change", async function () {
    const files = Array.from(photo.files || []).slice(0, 10);
    photo.value = "";
    if (!files.length) return;
    say(S.sending);
    const names = [];
    for (const f of files) {
      const form = new FormData();
      form.append("photo", await shrink(f), "photo.jpg");
      const out = await post("photo", { method: "POST", body: form });
      if (!out) return;
      names.push(out.name);
    }
    const caption = text.value.trim();
    if (await send({ photos: names, text: caption }) && text.value.trim() === caption) text.value = "";
  });

  document.getElementById("reset").addEventListener("click", function () {
    dialog.showModal();
  });
  dialog.addEventListener("close", async function () {
    if (dialog.returnValue !== "confirm") return;
    // The stream's "reset" often comes before this answer, whose success
    // would wipe the notice it put up: this page says it again.
    if (await post("reset", { method: "POST" })) say(S.cleared);
  });

  // Every message of the sandbox. The browser reconnects by itself after
  // a drop (sending Last-Event-ID), but not after a refusal (429 when too
  // many pages are open, 503 when Redis does not answer): then the page
  // opens a new stream itself, from the last message it shows, so nothing
  // is shown twice or missed. It waits as long as the refusal's
  // Retry-After says, else later each time (2 s, 4 s … 30 s), with jitter.
  let lastId = "";
  let retries = 0;
  function eventsURL() {
    return api + "events" + (lastId ? "?after=" + encodeURIComponent(lastId) : "");
  }
  // EventSource shows no status or header: the page asks once more with
  // fetch, and closes at once a stream that it opens.
  async function retryAfter() {
    const ctl = new AbortController();
    try {
      const r = await fetch(eventsURL(), { signal: ctl.signal, headers: { Accept: "text/event-stream" } });
      ctl.abort();
      if (r.ok) return 0; // free again: the usual short wait
      const secs = parseInt(r.headers.get("Retry-After"), 10);
      return secs >= 0 ? Math.min(secs, 300) * 1000 : null;
    } catch (e) {
      return null;
    }
  }
  function listen() {
    const es = new EventSource(eventsURL());
    es.onmessage = function (ev) {
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (ev.lastEventId) lastId = ev.lastEventId;
      add(ev.lastEventId, m);
    };
    es.onerror = function () {
      if (es.readyState === EventSource.OPEN) return;
      say(S.offline);
      if (es.readyState !== EventSource.CLOSED) return; // the browser retries
      es.close();
      retryAfter().then(function (told) {
        const wait = told ? told * (1 + Math.random() / 4) : Math.min(30000, 2000 * 2 ** retries) * (0.75 + Math.random() / 2);
        retries++;
        setTimeout(listen, wait);
      });
    };
    es.onopen = function () {
      retries = 0;
      if (notice.textContent === S.offline) say("");
    };
  }

  // A phone's on-screen keyboard takes half the screen: the page fits in
  // what is left (the visual viewport, unzoomed), compact when that is
  // short, and the newest messages stay in view.
  function fit() {
    const vv = window.visualViewport;
    const h = vv ? vv.height * vv.scale : window.innerHeight;
    document.documentElement.style.setProperty("--vh", h + "px");
    document.documentElement.classList.toggle("short", h < 560);
    scrollDown();
  }
  if (window.visualViewport) window.visualViewport.addEventListener("resize", fit);
  window.addEventListener("resize", fit);
  fit();

  show();
  listen();
  const start = new URLSearchParams(location.search).get("start");
  if (start) {
    history.replaceState(null, "", location.pathname);
    openStart(start);
  }
})();
