import type { Command } from 'commander';
import { createApiClient } from '../api-client.js';
import { defaultCredentialsFile, forgetToken, loadToken, saveToken } from '../credentials.js';
import type { RemoteOptions } from '../remote.js';

/** `hmas login` / `hmas logout`: keep a session token for the server the other commands talk to. */
export function registerSessionCommands(program: Command, readPassword: (fromStdin: boolean | undefined, label: string) => Promise<string>): void {
  program
    .command('login')
    .description('Sign in to a running server and keep the session token for later commands (~/.config/hmas/credentials.json, mode 0600).')
    .option('-u, --username <name>', 'username', 'admin')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(async (options: { username: string; passwordStdin?: boolean }) => {
      const global = program.opts<RemoteOptions>();
      const server = global.server.replace(/\/+$/, '');
      const password = await readPassword(options.passwordStdin, `Password for ${options.username} at ${server}`);
      const answer = await createApiClient({ server }).post<{ accessToken: string; user: { username: string; role: string } }>('/api/auth/login', {
        username: options.username,
        password,
      });
      await saveToken(global.credentialsFile ?? defaultCredentialsFile(), server, answer.user.username, answer.accessToken);
      console.log(`Signed in to ${server} as ${answer.user.username} (${answer.user.role}).`);
    });

  program
    .command('logout')
    .description('End the session on the server and forget the token kept for it.')
    .action(async () => {
      const global = program.opts<RemoteOptions>();
      const server = global.server.replace(/\/+$/, '');
      const file = global.credentialsFile ?? defaultCredentialsFile();
      const token = await loadToken(file, server);
      // Ends the session server-side too, so a copy of the token stops working; forgetting it
      // locally must not depend on the server being up.
      const ended = token ? await createApiClient({ server, token, timeoutMs: 10_000 }).post('/api/auth/logout').then(() => true, () => false) : false;
      const forgot = await forgetToken(file, server);
      if (!forgot) console.log(`No session kept for ${server}.`);
      else console.log(ended ? `Signed out of ${server}.` : `Signed out of ${server} (forgot the token; the server could not be told, so it stays valid until it expires).`);
    });
}
