import { z } from 'zod';
import { pageSchema, paginationQuerySchema } from '../../domain/pagination.js';
import { changePasswordSchema, createUserSchema, updateProfileSchema, updateUserSchema, userSchema } from '../../domain/user.js';
import type { UserService } from '../../services/users/user-service.js';
import { principalOf } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();

export function registerUserRoutes(app: ZodApp, deps: { users: UserService }): void {
  const { users } = deps;

  app.get('/api/users', {
    schema: { tags: ['users'], summary: 'List users.', querystring: paginationQuerySchema.strict(), response: { 200: pageSchema(userSchema) } },
    config: { access: 'viewer' },
    handler: async (request) => users.list(request.query.limit, request.query.offset),
  });

  app.post('/api/users', {
    schema: { tags: ['users'], summary: 'Create a user.', body: createUserSchema, response: { 201: userSchema } },
    config: { access: 'admin', audit: { action: 'user.create', resourceType: 'user' } },
    handler: async (request, reply) => {
      const user = await users.create(request.body);
      request.auditNote.resourceId = user.id;
      request.auditNote.summary = `created user ${user.username} with role ${user.role}`;
      return reply.code(201).send(user);
    },
  });

  app.patch('/api/users/me', {
    schema: { tags: ['users'], summary: 'Change your own profile.', body: updateProfileSchema, response: { 200: userSchema } },
    config: { access: 'viewer', audit: { action: 'user.profile_update', resourceType: 'user' } },
    handler: async (request) => {
      const me = principalOf(request);
      request.auditNote.resourceId = me.userId;
      request.auditNote.summary = 'changed display name';
      return users.updateProfile(me.userId, request.body.displayName);
    },
  });

  app.post('/api/users/me/password', {
    schema: { tags: ['users'], summary: 'Change your own password. Every session of yours ends, this one included: sign in again.', body: changePasswordSchema },
    config: { access: 'viewer', audit: { action: 'user.password_change', resourceType: 'user' } },
    handler: async (request, reply) => {
      const me = principalOf(request);
      request.auditNote.resourceId = me.userId;
      request.auditNote.summary = 'changed own password';
      await users.changeOwnPassword(me.userId, request.body.currentPassword, request.body.newPassword);
      return reply.code(204).send();
    },
  });

  app.get('/api/users/:id', {
    schema: { tags: ['users'], summary: 'One user.', params: idParams, response: { 200: userSchema } },
    config: { access: 'viewer' },
    handler: async (request) => users.get(request.params.id),
  });

  app.patch('/api/users/:id', {
    schema: { tags: ['users'], summary: 'Change a user: display name, role, disabled, password, gateway rate limits (null = default, 0 = unlimited).', params: idParams, body: updateUserSchema, response: { 200: userSchema } },
    config: { access: 'admin', audit: { action: 'user.update', resourceType: 'user' } },
    handler: async (request) => {
      const changed = Object.keys(request.body).map((field) => (field === 'password' ? 'password (reset)' : `${field}=${String(request.body[field as keyof typeof request.body])}`));
      request.auditNote.summary = `changed ${changed.join(', ') || 'nothing'}`;
      const user = await users.update(request.params.id, request.body);
      request.auditNote.summary = `changed ${user.username}: ${changed.join(', ') || 'nothing'}`;
      return user;
    },
  });

  app.delete('/api/users/:id', {
    schema: { tags: ['users'], summary: 'Delete a user.', params: idParams },
    config: { access: 'admin', audit: { action: 'user.delete', resourceType: 'user' } },
    handler: async (request, reply) => {
      const target = await users.get(request.params.id);
      request.auditNote.summary = `deleted user ${target.username}`;
      await users.remove(request.params.id, principalOf(request).userId);
      return reply.code(204).send();
    },
  });
}
