// markdownx starts its editors once, on page load. A row added with "Add another" is a
// copy of the hidden empty form, so it carries the "already started" marker but no live
// editor. Drop the marker and load markdownx again: it starts every editor without one.
"use strict";
document.addEventListener("formset:added", function (event) {
  const editors = event.target.querySelectorAll(".markdownx-editor[data-markdownx-init]");
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
