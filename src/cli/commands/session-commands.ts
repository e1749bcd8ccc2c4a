import type { Command } from 'commander';
import { createApiClient } from '../api-client.js';
import { defaultCredentialsFile, forgetToken, saveToken } from '../credentials.js';
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
    .description('Forget the session token kept for the server.')
    .action(async () => {
      const global = program.opts<RemoteOptions>();
      const server = global.server.replace(/\/+$/, '');
      const forgot = await forgetToken(global.credentialsFile ?? defaultCredentialsFile(), server);
      console.log(forgot ? `Signed out of ${server}.` : `No session kept for ${server}.`);
    });
}
