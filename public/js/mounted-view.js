import { byId } from './dom.js';

/**
 * A view built from `<template id="template-<name>">` each time it is shown and removed when
 * left: its forms (passwords, a device token shown once) leave nothing behind in the page.
 * `setup()` runs after the view's elements are in place and may return `{ release() }`.
 */
export function mountedView(name, setup) {
  const section = byId(`view-${name}`);
  const template = byId(`template-${name}`);
  let live = null;
  return {
    show() {
      if (live) return;
      section.replaceChildren(document.importNode(template.content, true));
      live = setup() ?? {};
    },
    hide() {
      if (!live) return;
      live.release?.();
      live = null;
      section.replaceChildren();
    },
  };
}
