/** A tiny element builder: h('button', { class: 'primary', onclick }, 'Save'); `style` takes an object. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    // CSSOM rather than a style attribute: the page's CSP forbids inline style attributes.
    else if (name === 'style') Object.assign(element.style, value);
    else if (name in element && typeof value !== 'string') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Builds SVG elements (charts); attributes only. */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/** Runs `task` now and then every `intervalMs` after it settles, until the returned stop() is called. */
export function poll(task, intervalMs) {
  let stopped = false;
  let timer;
  const tick = async () => {
    try {
      await task();
    } finally {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    }
  };
  void tick();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

export function debounce(fn, delayMs) {
  let timer;
  return (...args) => {
    window.clearTimeout(timer);
    timer = setTimeout(() => fn(...args), delayMs);
  };
}
