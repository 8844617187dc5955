// Closes a popover (a menu, a picker) when the user presses anywhere outside it. Listened to in the
// capture phase, so a grid or a chart that stops propagation cannot keep a menu open behind the click;
// attached on the next tick, so the press that opened the popover does not close it at once.
import type { Action } from 'svelte/action';

export const clickOutside: Action<HTMLElement, (e: PointerEvent) => void> = (node, onoutside) => {
  let handler = onoutside;
  const away = (e: PointerEvent) => {
    if (!node.contains(e.target as Node)) handler?.(e);
  };
  const timer = setTimeout(() => document.addEventListener('pointerdown', away, true));
  return {
    update(next) {
      handler = next;
    },
    destroy() {
      clearTimeout(timer);
      document.removeEventListener('pointerdown', away, true);
    },
  };
};
