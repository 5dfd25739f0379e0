// @ts-check
// Row templates for feeds: `template="<b>{user}</b> {text}"` renders each row as a card.
// The markup is the notebook author's; the values are data and only ever become text:
// placeholders in text become text nodes, placeholders in attributes are set with
// setAttribute (never parsed as markup). Scripts, event-handler attributes and URLs other than
// http(s), mailto and relative ones are removed from the template itself, so a template built
// from data by mistake cannot run code either.
const PLACEHOLDER = /\{([^{}]+)\}/g;
const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href", "srcset", "poster"]);
const SAFE_URL = /^(?:https?:|mailto:|[^a-z]*$|[^:]*(?:[/?#]|$))/i;
const DROP = "script,iframe,object,embed,style,link,meta,base";

/**
 * A compiled template; render(textOf) builds one card, textOf(field) gives a value's text.
 * @typedef {{ render(textOf: (field: string) => string): DocumentFragment }} Template
 */

/**
 * @param {string | null | undefined} source the template's markup
 * @returns {Template}
 */
export function compileTemplate(source) {
  const tpl = document.createElement("template");
  tpl.innerHTML = String(source ?? "");
  const root = tpl.content;
  for (const el of root.querySelectorAll(DROP)) el.remove();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  /** @type {Text[]} */
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = /** @type {Text} */ (node);
      if (PLACEHOLDER.test(text.data)) texts.push(text);
      PLACEHOLDER.lastIndex = 0;
      continue;
    }
    const el = /** @type {Element} */ (node); // the walker shows elements and text only
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on") || (URL_ATTRS.has(name) && !SAFE_URL.test(attr.value.trim()))) {
        el.removeAttribute(attr.name);
      }
    }
  }
  // Split text nodes around placeholders now, marking value slots, so rendering is a clone
  // plus one textContent per slot.
  for (const node of texts) {
    const parts = node.data.split(PLACEHOLDER); // [text, field, text, field, ..., text]
    const frag = document.createDocumentFragment();
    parts.forEach((part, i) => {
      if (i % 2 === 0) {
        if (part) frag.append(part);
      } else {
        const slot = document.createElement("span");
        slot.dataset.lswField = part.trim();
        frag.append(slot);
      }
    });
    node.replaceWith(frag);
  }
  return {
    render(textOf) {
      const card = /** @type {DocumentFragment} */ (root.cloneNode(true));
      for (const slot of card.querySelectorAll("[data-lsw-field]")) {
        slot.textContent = textOf(/** @type {string} */ (/** @type {HTMLElement} */ (slot).dataset.lswField));
      }
      const filled = document.createTreeWalker(card, NodeFilter.SHOW_ELEMENT);
      for (let node = filled.nextNode(); node; node = filled.nextNode()) {
        const el = /** @type {Element} */ (node);
        for (const attr of [...el.attributes]) {
          if (!attr.value.includes("{")) continue;
          const value = attr.value.replace(PLACEHOLDER, (_, f) => textOf(f.trim()));
          const name = attr.name.toLowerCase();
          if (URL_ATTRS.has(name) && !SAFE_URL.test(value.trim())) el.removeAttribute(attr.name);
          else el.setAttribute(attr.name, value);
        }
      }
      return card;
    },
  };
}
