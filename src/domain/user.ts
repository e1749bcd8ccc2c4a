import { z } from 'zod';
import { rateLimitValueSchema } from './rate-limit.js';
import { ROLES } from './roles.js';

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'Use 2–63 characters: lowercase letters, digits, ".", "_" or "-", starting with a letter or digit.');

export const passwordSchema = z
  .string()
  .min(8, 'Passwords need at least 8 characters.')
  .max(256, 'Passwords may have at most 256 characters.');

export const roleSchema = z.enum(ROLES);
export const displayNameSchema = z.string().trim().min(1).max(120);

export const userSchema = z.object({
  id: z.string().uuid(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastLoginAt: z.string().nullable(),
  /** Gateway rate limit overrides: null = the server default, 0 = unlimited. */
  rateLimitRpm: z.number().int().nullable(),
  rateLimitTpm: z.number().int().nullable(),
});
export type User = z.infer<typeof userSchema>;

export const createUserSchema = z
  .object({
    username: usernameSchema,
    displayName: displayNameSchema.optional(),
    role: roleSchema,
    password: passwordSchema,
    disabled: z.boolean().optional(),
  })
  .strict();
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    displayName: displayNameSchema.optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
    /** null = back to the server default. */
    rateLimitRpm: rateLimitValueSchema.nullable().optional(),
    rateLimitTpm: rateLimitValueSchema.nullable().optional(),
  })
  .strict();
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

export const updateProfileSchema = z.object({ displayName: displayNameSchema }).strict();

export const changePasswordSchema = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema })
  .strict();

export const loginSchema = z
  .object({ username: z.string().trim().toLowerCase().min(1).max(63), password: z.string().min(1).max(256) })
  .strict();
