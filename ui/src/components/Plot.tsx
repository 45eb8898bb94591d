/** Renders an Observable Plot figure (rebuilt whenever `make` changes). */
import { useEffect, useRef } from "preact/hooks";

export function PlotFigure({ make, label }: { make: () => SVGElement | HTMLElement; label?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const fig = make();
    el.replaceChildren(fig);
    return () => fig.remove();
  }, [make]);
  return <div class="plot" ref={ref} aria-label={label} />;
}
