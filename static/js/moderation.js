// Keyboard shortcuts for the moderation queue. Progressive enhancement only: every shortcut
// presses a button or focuses a control that is on the page anyway, so the screen works the same
// without JavaScript, just with the mouse (or Tab).
(() => {
  const queue = document.querySelector("[data-moderation-queue]");
  if (!queue) return;

  const bulkForm = document.getElementById("bulk-form");
  const help = document.getElementById("shortcuts");
  const counter = document.querySelector("[data-selected-count]");
  const selectAll = document.querySelector("[data-select-all]");
  const HELP_KEY = "kjnews.moderation.shortcutsHidden";
  let current = null;

  const entries = () => [...queue.querySelectorAll(".queue-entry")];
  const checkboxes = () => [...queue.querySelectorAll(".queue-entry__select")];
  const selected = () => checkboxes().filter((box) => box.checked);

  function focusEntry(entry) {
    if (!entry) return;
    current = entry;
    entry.focus({ preventScroll: true });
    entry.scrollIntoView({ block: "start" });
  }

  function currentEntry() {
    const active = document.activeElement && document.activeElement.closest(".queue-entry");
    return active || (current && current.isConnected ? current : null);
  }

  function move(step) {
    const list = entries();
    if (!list.length) return;
    const here = list.indexOf(currentEntry());
    const next = here === -1 ? (step > 0 ? 0 : list.length - 1) : here + step;
    focusEntry(list[Math.min(Math.max(next, 0), list.length - 1)]);
  }

  // With a selection the keys act on it (the bulk bar); otherwise on the current entry.
  function scope() {
    return selected().length ? bulkForm : currentEntry();
  }

  function act(action) {
    const button = scope()?.querySelector(`[data-action="${action}"]`);
    if (button && !button.disabled) button.click();
  }

  function updateCount() {
    if (!counter) return;
    const count = selected().length;
    counter.textContent = count ? counter.dataset.template.replace("__COUNT__", count) : "";
    if (selectAll) selectAll.checked = count > 0 && count === checkboxes().length;
  }

  function storage(operation, value) {
    try {
      if (operation === "get") return localStorage.getItem(HELP_KEY);
      localStorage.setItem(HELP_KEY, value);
    } catch {
      // Storage turned off: the list starts in its default state every time.
    }
    return null;
  }

  function toggleHelp() {
    if (!help) return;
    help.open = !help.open;
    storage("set", help.open ? "0" : "1");
  }

  const typing = (element) =>
    element.matches(
      "textarea, select, [contenteditable], input:not([type=checkbox], [type=radio], [type=button], [type=submit])",
    );

  document.addEventListener("keydown", (event) => {
    const target = event.target instanceof Element ? event.target : document.body;
    // After b: the duration select has focus; Enter bans, Escape goes back to the entry.
    const duration = target.closest("[data-ban-duration]");
    if (duration && event.key === "Enter") {
      event.preventDefault();
      duration.form.querySelector('[data-action="ban"]').click();
      return;
    }
    if (duration && event.key === "Escape") {
      event.preventDefault();
      const entry = duration.closest(".queue-entry");
      if (entry) focusEntry(entry);
      else duration.blur();
      return;
    }
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(target)) return;

    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "x": {
        const box = currentEntry()?.querySelector(".queue-entry__select");
        if (box) box.click();
        break;
      }
      case "a":
        act("approve");
        break;
      case "h":
        act("hide");
        break;
      case "r":
        act("remove");
        break;
      case "s":
        act("spam");
        break;
      case "b":
        scope()?.querySelector("[data-ban-duration]")?.focus();
        break;
      case "?":
        toggleHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  queue.addEventListener("change", (event) => {
    if (event.target.matches(".queue-entry__select")) updateCount();
  });

  if (selectAll) {
    selectAll.closest("label").hidden = false;
    selectAll.addEventListener("change", () => {
      for (const box of checkboxes()) box.checked = selectAll.checked;
      updateCount();
    });
  }

  // Clicking into an entry makes it the current one, so j and k continue from there.
  queue.addEventListener("focusin", (event) => {
    const entry = event.target.closest(".queue-entry");
    if (entry) current = entry;
  });

  // Remember whether the moderator hid the list. Until they choose, it starts open where there is
  // likely a keyboard and closed on phones and tablets.
  if (help) {
    const saved = storage("get");
    const touch = matchMedia("(hover: none), (pointer: coarse), (max-width: 40rem)").matches;
    if (saved === "1" || (saved === null && touch)) help.open = false;
    help.querySelector("summary").addEventListener("click", () => {
      storage("set", help.open ? "1" : "0"); // clicked while open: it is about to close
    });
  }

  // After an action the queue comes back at the neighbouring entry (#q-N): continue from there.
  const landing = location.hash.match(/^#q-\d+$/) && document.querySelector(location.hash);
  if (landing) focusEntry(landing);
  updateCount();
})();
