// markdownx starts its editors once, on page load. A row added with "Add another" is a
// copy of a hidden empty form, so it has no live editor (and may carry the "already started"
// marker). Drop any marker and load markdownx again: it starts every editor without one.
"use strict";
document.addEventListener("formset:added", function (event) {
  const editors = event.target.querySelectorAll(".markdownx-editor");
  if (!editors.length) {
    return;
  }
  editors.forEach(function (editor) {
    editor.removeAttribute("data-markdownx-init");
  });
  const original = document.querySelector("script[src*='markdownx/js/markdownx']");
  if (original) {
    const again = document.createElement("script");
    again.src = original.src;
    document.body.appendChild(again);
  }
});

// markdownx only logs a refused upload; tell the editor why (e.g. "Upload a PNG, JPEG or WebP image").
document.addEventListener("markdownx.fileUploadError", function (event) {
  const response = (event.detail || [])[0] || {};
  const messages = response.image || ["The image could not be uploaded."];
  window.alert(messages.join(" "));
}, true);
