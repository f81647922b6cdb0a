/* Kaifong: chat answers shown as they are written (server-sent events read with fetch), no build step.
   Used only when the chat form carries data-stream, i.e. the visitor has not chosen whole answers. The
   draft is marked aria-busy and is replaced by the finished exchange (the same HTML as POST /chat), so a
   screen reader announces the answer once, whole. Without JavaScript, fetch or htmx nothing here runs and
   the form posts as before; if the stream breaks before it is done, the form is posted the plain way. */
(function () {
  "use strict";
  if (!window.fetch || !window.TextDecoder || !window.ReadableStream) { return; }

  function parse(block) {
    var name = "message", data = [];
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event: ") === 0) { name = line.slice(7); }
      else if (line.indexOf("data: ") === 0) { data.push(line.slice(6)); }
    });
    return { name: name, data: data.length ? JSON.parse(data.join("\n")) : null };
  }

  function add(log, html) {
    if (window.htmx && window.htmx.swap) { window.htmx.swap(log, html, { swapStyle: "beforeend" }); }
    else { log.insertAdjacentHTML("beforeend", html); }
  }

  async function ask(form, box) {
    var log = document.getElementById("log");
    var button = form.querySelector("button[type=submit]");
    var working = document.getElementById("working");
    var body = new URLSearchParams(new FormData(form));
    var draft = document.createElement("div");
    var asked = document.createElement("p");
    var text = document.createElement("div");
    draft.className = "draft";  /* not an .exchange: that is the finished one */
    draft.setAttribute("aria-busy", "true");
    asked.className = "asked";
    asked.textContent = box.value;
    text.className = "answer-text";
    draft.append(asked, text);
    log.appendChild(draft);
    button.disabled = true;
    if (working) { working.classList.add("htmx-request"); }
    var finished = false;
    try {
      var response = await fetch(form.dataset.stream, {
        method: "POST", body: body, headers: { "HX-Request": "true", "Accept": "text/event-stream" }
      });
      if ((response.headers.get("content-type") || "").indexOf("text/event-stream") !== 0) {
        draft.remove();
        add(log, await response.text());
        finished = true;
        if (response.ok) { box.value = ""; }
      } else {
        var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
        for (;;) {
          var read = await reader.read();
          if (read.done) { break; }
          buffer += decoder.decode(read.value, { stream: true });
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          blocks.forEach(function (block) {
            var event = parse(block);
            if (event.name === "piece") { text.append(event.data.text); }
            if (event.name === "done") { draft.remove(); add(log, event.data.html); finished = true; }
          });
        }
        if (finished) { box.value = ""; }
      }
    } catch (error) {
      finished = false;
    }
    button.disabled = false;
    if (working) { working.classList.remove("htmx-request"); }
    if (!finished) { draft.remove(); form.submit(); return; }
    box.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.stream) { return; }
    var box = form.querySelector("textarea");
    if (!box || !box.value.trim()) { return; }
    event.preventDefault();
    event.stopPropagation();  /* capture phase: htmx's own submit handler never sees it */
    ask(form, box);
  }, true);
})();
