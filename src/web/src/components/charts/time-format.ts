const secondsClock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayClock = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const DAY_SECONDS = 86_400;

/** Below this span, ticks a minute apart or less would all read the same minute: they show seconds. */
const SECONDS_SPAN = 10 * 60;

/** An axis tick of a chart spanning `spanSeconds`: the time of day (to the second on short spans), with the date past a day. */
export function formatTick(unixSeconds: number, spanSeconds: number): string {
  const format = spanSeconds > DAY_SECONDS ? dayClock : spanSeconds < SECONDS_SPAN ? secondsClock : clock;
  return format.format(new Date(unixSeconds * 1000));
}

/** A tooltip's time, to the second. */
export const formatInstant = (unixSeconds: number) => full.format(new Date(unixSeconds * 1000));
