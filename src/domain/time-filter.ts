import { z } from 'zod';

/** The first instant PostgreSQL's timestamptz takes from an ISO string (year 0000 is refused there). */
const FIRST_STORABLE_TIME = Date.parse('0001-01-01T00:00:00Z');

/** A `from`/`to` filter: an ISO 8601 date-time with offset, in year 1 or later. */
export const timeFilterSchema = z.iso
  .datetime({ offset: true, error: 'Use an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z.' })
  .refine((value) => Date.parse(value) >= FIRST_STORABLE_TIME, 'Use a time in year 1 or later.');
