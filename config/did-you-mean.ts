// A guess at the word an operator meant, for an error message: the config
// reader offers it for a misspelt key or value.

/** `did you mean "x"?` for the option closest to `word`, when one is close enough to be a slip. */
export function didYouMean(word: string, options: readonly string[]): string | undefined {
  // Case and separators carry no meaning for a guess: route_protocol is routeProtocol.
  const fold = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const target = fold(word);
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(target.length / 3)) + 1;
  for (const option of options) {
    const folded = fold(option);
    // A word cut short or run on (warning for warn, route for routeProtocol) counts as one slip.
    const truncated = Math.min(target.length, folded.length) >= 3 && (target.startsWith(folded) || folded.startsWith(target));
    const distance = truncated ? 1 : editDistance(target, folded);
    if (distance < bestDistance) {
      best = option;
      bestDistance = distance;
    }
  }
  return best === undefined ? undefined : `did you mean "${best}"?`;
}

/** Optimal string alignment: Levenshtein plus swapped neighbours (mdoe -> mode is one edit). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
