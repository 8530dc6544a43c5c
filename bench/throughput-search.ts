// A path's throughput as RFC 2544 defines it (section 26.1): the highest
// offered rate at which it forwards every frame, found by trials at set
// rates. Here a trial passes with a loss up to a stated fraction (a veth
// lab on a shared machine drops the odd frame whatever the rate), and the
// trials are short, so a whole forward run stays within minutes.

/** one trial: the generator paced at a rate for a while, and what arrived */
export interface Trial {
  /** the rate the generator was asked for, Mpps */
  askedMpps: number;
  /** what it sent over the run's time (below asked where its CPU could not keep up) */
  offeredMpps: number;
  /** what the sink received over the same time */
  mpps: number;
  sent: number;
  received: number;
  /** (sent - received) / sent */
  loss: number;
}

export interface SearchOptions {
  /** the first trial's rate: near what the path carries, as the flood suggests it */
  startMpps: number;
  /** a rate known to lose more than `lossTolerance`: the flood's offered rate */
  ceilingMpps: number;
  /** the largest loss a passing trial may have, a fraction of what was sent */
  lossTolerance: number;
  /** stop once the passing and failing rates are this close, a fraction of the failing one */
  resolution: number;
  maxTrials: number;
}

export interface SearchResult {
  /** the passing trial at the highest rate; null when none passed */
  best: Trial | null;
  /** every trial, in the order run */
  trials: Trial[];
}

/** how far a rate steps while only passes (or only failures) are known */
const STEP_UP = 1.5;
const STEP_DOWN = 0.8;
/** after a failure, how far under what arrived the next trial offers */
const STEP_UNDER_CARRIED = 0.98;

/**
 * Search the throughput: a trial at `startMpps`, then steps up from a pass
 * (down from a failure) until a pass and a failure bracket it, then halves
 * the bracket until it is within `resolution` or `maxTrials` ran. A trial
 * passes when its loss is at most `lossTolerance`.
 */
export async function searchThroughput(trial: (mpps: number) => Promise<Trial>, o: SearchOptions): Promise<SearchResult> {
  if (!(o.startMpps > 0 && o.ceilingMpps > 0)) throw new Error(`a throughput search needs rates above 0 Mpps (start ${o.startMpps}, ceiling ${o.ceilingMpps})`);
  const trials: Trial[] = [];
  let best: Trial | null = null;
  let failing = o.ceilingMpps;
  let failed = false;
  let rate = Math.min(o.startMpps, o.ceilingMpps * STEP_DOWN);
  while (trials.length < o.maxTrials) {
    const t = await trial(rate);
    trials.push(t);
    if (t.loss <= o.lossTolerance) {
      if (!best || rate > best.askedMpps) best = t;
    } else {
      failing = Math.min(failing, rate);
      failed = true;
    }
    const passing = best?.askedMpps ?? 0;
    if (best && failing - passing <= failing * o.resolution) break;
    // a path that lost frames carried at least what arrived: the next try when it is lower
    if (!best) rate = Math.min(rate * STEP_DOWN, t.mpps * STEP_UNDER_CARRIED);
    else if (!failed) rate = Math.min(passing * STEP_UP, (passing + failing) / 2);
    else rate = (passing + failing) / 2;
  }
  return { best, trials };
}
