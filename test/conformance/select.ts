/** Flavor selection for conformance suites: KOAN_FLAVORS=local,sqlite (default: every flavor). */
export function selected(flavor: string): boolean {
  const want = process.env.KOAN_FLAVORS;
  if (!want) return true;
  return want.split(",").map((s) => s.trim()).includes(flavor);
}
