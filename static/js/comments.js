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
