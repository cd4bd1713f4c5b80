/** A few lines instead of a framework: create elements with properties, attributes and children. */

type Child = Node | string | number | null | undefined | false;

export interface Props {
  readonly class?: string;
  readonly text?: string;
  /** Attributes (aria-*, data-*, role, for, ...); null or false leaves one out. */
  readonly attrs?: Readonly<Record<string, string | number | boolean | null | undefined>>;
  readonly on?: Readonly<Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>>;
}

export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [event, listener] of Object.entries(props.on ?? {})) {
    if (listener) element.addEventListener(event, listener);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
};

/** Runs `render` once per animation frame however often it is requested. */
export const batched = (render: () => void): (() => void) => {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      render();
    });
  };
};

/**
 * Makes `parent`'s children exactly `items`, moving only what changed: nodes already in place stay
 * attached, so a live region announces only what is new.
 */
export const reconcile = (parent: Element, items: readonly Node[]): void => {
  items.forEach((item, index) => {
    const current = parent.childNodes[index];
    if (current !== item) parent.insertBefore(item, current ?? null);
  });
  while (parent.childNodes.length > items.length) parent.lastChild?.remove();
};
