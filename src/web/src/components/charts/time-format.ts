const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayClock = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const DAY_SECONDS = 86_400;

/** An axis tick of a chart spanning `spanSeconds`: the time of day, with the date past a day. */
export function formatTick(unixSeconds: number, spanSeconds: number): string {
  return (spanSeconds > DAY_SECONDS ? dayClock : clock).format(new Date(unixSeconds * 1000));
}

/** A tooltip's time, to the second. */
export const formatInstant = (unixSeconds: number) => full.format(new Date(unixSeconds * 1000));
