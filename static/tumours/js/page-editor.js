// The tumour page editor: add a section or source, move rows up and down with real buttons (so the keyboard
// and screen readers can), and keep every row's hidden position equal to its place on screen, which is the
// order that is saved. On a new page the address (slug) follows the name until the editor types one.
"use strict";

function renumber(list) {
  Array.from(list.children).forEach(function (row, index) {
    const position = row.querySelector("input[name$='-position']");
    if (position) {
      position.value = index + 1;
    }
    const number = row.querySelector(".editor-row__number");
    if (number) {
      number.textContent = index + 1;
    }
  });
}

function announce(group, row, place) {
  const live = group.querySelector("[data-announce]");
  const title = row.querySelector("h3");
  if (live && title) {
    live.textContent = group.dataset.noun + " moved to place " + place + ".";
  }
}

function setUpRows(group) {
  const prefix = group.dataset.rows;
  const list = group.querySelector(".editor-rows__list");
  const template = group.querySelector("template");
  const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  const add = group.querySelector(".editor-rows__add");
  if (add && template && total) {
    add.addEventListener("click", function () {
      const index = Number(total.value);
      list.insertAdjacentHTML("beforeend", template.innerHTML.split("__prefix__").join(String(index)));
      total.value = index + 1;
      const row = list.lastElementChild;
      renumber(list);
      row.dispatchEvent(new CustomEvent("formset:added", {bubbles: true, detail: {formsetName: prefix}}));
      const first = row.querySelector("input[type=text], input[type=url], textarea");
      if (first) {
        first.focus();
      }
    });
  }
  list.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-move]");
    if (!button) {
      return;
    }
    const row = button.closest(".editor-row");
    if (button.dataset.move === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (button.dataset.move === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    } else {
      return;
    }
    renumber(list);
    button.focus();
    announce(group, row, Array.from(list.children).indexOf(row) + 1);
  });
  renumber(list);
}

function slugify(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 200);
}

function setUpSlug(form) {
  const name = form.querySelector("#id_name");
  const slug = form.querySelector("#id_slug");
  if (!name || !slug || slug.value) {
    return;
  }
  let typed = false;
  slug.addEventListener("input", function () { typed = true; });
  name.addEventListener("input", function () {
    if (!typed) {
      slug.value = slugify(name.value);
    }
  });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-rows]").forEach(setUpRows);
  const newPage = document.querySelector("form[data-new-page]");
  if (newPage) {
    setUpSlug(newPage);
  }
});

// The preview's answer ends with the text's readability figures (computed on the server): show them beside the
// preview rather than inside it, so the preview stays exactly what visitors see. markdownx's events do not
// bubble, hence the capture.
document.addEventListener("markdownx.update", function (event) {
  const widget = event.target;
  const figures = widget.querySelector(".markdownx-preview [data-readability]");
  if (!figures) {
    return;
  }
  let panel = widget.querySelector(".markdownx-figures");
  if (!panel) {
    panel = document.createElement("div");
    panel.className = "markdownx-figures";
    widget.appendChild(panel);
  }
  panel.replaceChildren(figures);
}, true);

// Citations: the preview numbers [@key] as the page will (sources in list order) and names a key no source has.
// markdownx posts only the text, to the address in each editor's data-markdownx-urls-path, read afresh for every
// preview: the keys on screen go in that address's query string. A new source's key follows its title until the
// editor types one.
function sourceKeys(form) {
  return Array.from(form.querySelectorAll("[data-rows='sources'] .editor-rows__list > .editor-row"))
    .filter(function (row) {
      const remove = row.querySelector("input[name$='-DELETE']");
      return !(remove && remove.checked);
    })
    .map(function (row) {
      const key = row.querySelector("input[name$='-key']");
      return key ? key.value.trim() : "";
    });
}

function pointPreviewsAtKeys(form, refresh) {
  const keys = sourceKeys(form).map(encodeURIComponent).join(",");
  form.querySelectorAll(".markdownx-editor").forEach(function (editor) {
    if (editor.name && editor.name.indexOf("sources-") === 0) {
      return;
    }
    const path = (editor.getAttribute("data-markdownx-urls-path") || "").split("?")[0];
    editor.setAttribute("data-markdownx-urls-path", path + "?keys=" + keys);
    if (refresh && editor.value) {
      editor.dispatchEvent(new Event("input"));
    }
  });
}

function setUpCitations(form) {
  form.addEventListener("input", function (event) {
    const field = event.target;
    if (!field.name || !/^sources-\d+-title$/.test(field.name)) {
      return;
    }
    const key = form.querySelector("[name='" + field.name.replace(/title$/, "key") + "']");
    if (key && (!key.value || key.dataset.fromTitle === "yes")) {
      key.value = slugify(field.value).slice(0, 40).replace(/-+$/, "");
      key.dataset.fromTitle = "yes";
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.name && /^sources-\d+-key$/.test(event.target.name)) {
      event.target.dataset.fromTitle = "no";
    }
  });
  form.addEventListener("change", function (event) {
    if (event.target.name && /^sources-\d+-(key|title|DELETE)$/.test(event.target.name)) {
      pointPreviewsAtKeys(form, true);
    }
  });
  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-rows='sources'] button[data-move]")) {
      pointPreviewsAtKeys(form, true);
    }
  });
  document.addEventListener("formset:added", function () {
    pointPreviewsAtKeys(form, false);
  });
  // markdownx may have drawn its first previews before this ran: draw them again, numbered.
  pointPreviewsAtKeys(form, true);
}

document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("tumour_form");
  if (form) {
    setUpCitations(form);
  }
});
