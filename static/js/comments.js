// Progressive enhancement only: every action here also works as a plain link or form.

// "Reply" puts >>N into the comment box instead of reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-reply]");
  const box = document.querySelector("#comment-form textarea");
  if (!link || !box) return;
  event.preventDefault();
  const start = box.selectionStart ?? box.value.length;
  const onNewLine = start === 0 || box.value[start - 1] === "\n";
  const anchor = `${onNewLine ? "" : "\n"}>>${link.dataset.reply}\n`;
  box.value = box.value.slice(0, start) + anchor + box.value.slice(box.selectionEnd ?? start);
  box.focus();
  box.selectionStart = box.selectionEnd = start + anchor.length;
  box.scrollIntoView({ block: "center" });
});

// Posting without a reload: the server answers exactly as it does without JavaScript (a redirect
// to the thread, or the page with the form and its errors); only the comments section of that
// answer replaces ours, so the reader keeps their place in the article.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  const section = document.getElementById("comments");
  if (form.id !== "comment-form" || !section || !window.fetch || !window.DOMParser) return;
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const answer = page.getElementById("comments");
    if (!answer) throw new Error("no comments section in the answer");
    section.replaceWith(answer);
    const confirmed = answer.querySelector(".comment__message")?.closest("li[id^='c-']");
    if (response.ok && response.redirected && confirmed) {
      history.replaceState(null, "", `${response.url.split("#")[0]}#${confirmed.id}`);
      confirmed.scrollIntoView({ block: "center" });
    } else {
      answer.querySelector("[role=alert]")?.scrollIntoView({ block: "center" });
    }
  } catch (error) {
    form.submit(); // anything unexpected: let the browser post it the ordinary way
  }
});

// Reactions without a reload: the same form post, answered in JSON; the button shows the new count
// and whether this reader's reaction stands. Anything unexpected falls back to the plain post.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[name=reaction]");
  const form = button && document.getElementById(button.getAttribute("form"));
  if (!form || !window.fetch) return;
  event.preventDefault();
  const body = new FormData(form);
  body.set("reaction", button.value);
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const answer = await response.json();
    const group = button.parentElement;
    group.parentElement.querySelector(".reaction-error")?.remove();
    if (!response.ok) {
      const notice = document.createElement("p");
      notice.className = "message message--error reaction-error";
      notice.setAttribute("role", "alert");
      notice.textContent = answer.error;
      group.after(notice);
      return;
    }
    for (const each of group.querySelectorAll("button[name=reaction]")) {
      const kind = each.value.split(":")[1];
      each.querySelector(".reaction__count").textContent = answer.counts[kind];
    }
    button.setAttribute("aria-pressed", String(answer.pressed));
  } catch (error) {
    form.requestSubmit(button);
  } finally {
    button.disabled = false;
  }
});
