// Copy buttons of a new link (templates/media/_link_made.html), also in fragments htmx swaps in.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-link]");
  if (!button) return;
  const input = button.parentElement.querySelector("[data-link-url]");
  if (!input) return;
  input.select();
  const done = () => { button.textContent = "Copied"; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).then(done, () => document.execCommand("copy"));
  } else {
    document.execCommand("copy");
    done();
  }
});
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-link-url]")) event.target.select();
});
