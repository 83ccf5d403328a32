/* The research views' enhancements. Everything works without this file; it adds:
   - in the source viewer: layer toggles, the selection menu (select words, then cite or mark them),
     popovers for marked passages, and the passage named in the address highlighted;
   - in the cite and mention forms: only the chosen kind's field is shown.
   Offsets are code points, as the server stores them: a selection's offset is the length, in code
   points, of the text before it (never UTF-16 units, which count an emoji or a rare Hangul twice). */
(function () {
  "use strict";

  function codePoints(text) {
    let count = 0;
    for (const _ of text) count += 1; // eslint-disable-line no-unused-vars
    return count;
  }

  // The offset, in code points, of a DOM position inside the text element.
  function offsetOf(textElement, node, offset) {
    const range = document.createRange();
    range.setStart(textElement, 0);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  function initViewer() {
    const text = document.getElementById("source-text");
    if (!text) return;
    const list = document.querySelector(".marks-list");
    const marks = JSON.parse(document.getElementById("source-marks").textContent);
    const byAnchor = new Map(marks.map((mark) => [mark.anchor, mark]));
    const menu = document.getElementById("selection-menu");
    const popover = document.getElementById("mark-popover");

    // Layers.
    document.querySelectorAll(".layers input[name=layer]").forEach((box) => {
      box.addEventListener("change", () => {
        text.classList.toggle("hide-" + box.value, !box.checked);
        if (list) list.classList.toggle("hide-" + box.value, !box.checked);
      });
    });

    // Highlight a mark's segments, and its entry in the side list.
    function highlight(anchor, scrollList) {
      text.querySelectorAll(".current").forEach((el) => el.classList.remove("current"));
      if (list) list.querySelectorAll("li.current").forEach((el) => el.classList.remove("current"));
      if (!anchor || !byAnchor.has(anchor)) return;
      text.querySelectorAll("[data-marks]").forEach((segment) => {
        if (segment.dataset.marks.split(" ").includes(anchor)) segment.classList.add("current");
      });
      const item = document.getElementById("list-" + anchor);
      if (item) {
        item.classList.add("current");
        if (scrollList) item.scrollIntoView({ block: "nearest" });
      }
    }
    function fromHash() {
      const anchor = decodeURIComponent(location.hash.slice(1));
      highlight(anchor, true);
    }
    window.addEventListener("hashchange", fromHash);
    fromHash();

    function place(box, rect) {
      box.style.left = Math.max(8, window.scrollX + rect.left) + "px";
      box.style.top = window.scrollY + rect.bottom + 6 + "px";
    }

    // A click on a marked passage (without selecting) lists what covers it.
    text.addEventListener("click", (event) => {
      const selection = window.getSelection();
      if (selection && !selection.isCollapsed) return;
      const segment = event.target.closest("[data-marks]");
      if (!segment) {
        popover.hidden = true;
        return;
      }
      const anchors = segment.dataset.marks.split(" ");
      popover.replaceChildren();
      const ul = document.createElement("ul");
      anchors.forEach((anchor) => {
        const mark = byAnchor.get(anchor);
        if (!mark) return;
        const li = document.createElement("li");
        const link = document.createElement(mark.url ? "a" : "span");
        if (mark.url) link.href = mark.url;
        link.textContent = mark.label;
        li.append(link);
        if (mark.detail) li.append(" — " + mark.detail);
        ul.append(li);
      });
      popover.append(ul);
      place(popover, segment.getBoundingClientRect());
      popover.hidden = false;
      highlight(anchors[anchors.length - 1], true);
    });

    // A selection inside the text offers to cite it or mark it.
    function onSelection() {
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
        return;
      }
      const range = selection.getRangeAt(0);
      if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) {
        menu.hidden = true;
        return;
      }
      const start = offsetOf(text, range.startContainer, range.startOffset);
      const end = offsetOf(text, range.endContainer, range.endOffset);
      if (end <= start) return;
      const covering = marks.filter((mark) => mark.start < end && mark.end > start).length;
      const note = menu.querySelector("[data-role=note]");
      note.textContent =
        "Characters " + start + "–" + end + (covering ? " · already covered by " + covering + " mark" + (covering > 1 ? "s" : "") : "");
      const query = "?start=" + start + "&end=" + end;
      const cite = menu.querySelector("[data-role=cite]");
      if (cite) cite.href = text.dataset.citeUrl + query;
      const mention = menu.querySelector("[data-role=mention]");
      if (mention) mention.href = text.dataset.mentionUrl + query;
      menu.dataset.start = start;
      menu.dataset.end = end;
      place(menu, range.getBoundingClientRect());
      menu.hidden = false;
      popover.hidden = true;
    }
    text.addEventListener("mouseup", () => window.setTimeout(onSelection, 0));
    text.addEventListener("keyup", (event) => {
      if (event.shiftKey) onSelection();
    });
    menu.querySelector("[data-role=close]").addEventListener("click", () => {
      menu.hidden = true;
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        menu.hidden = true;
        popover.hidden = true;
      }
    });
  }

  // Cite and mention forms: show the field of the chosen kind only.
  function initKindChoice() {
    const form = document.querySelector(".passage-form form");
    if (!form) return;
    const radios = form.querySelectorAll(".kind-choice input[type=radio]");
    if (!radios.length) return;
    function update() {
      const chosen = form.querySelector(".kind-choice input[type=radio]:checked");
      form.querySelectorAll(".subject-field").forEach((row) => {
        row.hidden = chosen ? row.dataset.kind !== chosen.value : false;
      });
    }
    radios.forEach((radio) => radio.addEventListener("change", update));
    update();
  }

  document.addEventListener("DOMContentLoaded", () => {
    initViewer();
    initKindChoice();
  });
})();
