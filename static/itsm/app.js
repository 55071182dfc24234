// Keyboard: "/" focuses the search, "n" opens Log a call (not while typing in a field).
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "/") {
    const search = document.getElementById("global-search");
    if (search) { event.preventDefault(); search.focus(); }
  } else if (event.key === "n") {
    window.location.href = "/tickets/new/";
  }
});
