#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { ZodError } from 'zod';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { passwordSchema, roleSchema, usernameSchema } from '../domain/user.js';
import { ROLES } from '../domain/roles.js';
import { AppError } from '../lib/errors.js';
import type { UserService } from '../services/users/user-service.js';
import { ApiCallError } from '../cli/api-client.js';
import { registerClusterCommands } from '../cli/commands/cluster-commands.js';
import { registerDeploymentCommands } from '../cli/commands/deployment-commands.js';
import { registerEventCommands } from '../cli/commands/event-commands.js';
import { registerRolloutCommands } from '../cli/commands/rollout-commands.js';
import { registerModelCommands } from '../cli/commands/model-commands.js';
import { registerSecretCommands } from '../cli/commands/secret-commands.js';
import { registerSessionCommands } from '../cli/commands/session-commands.js';
import { registerSystemCommands } from '../cli/commands/system-commands.js';
import { promptHidden, readFirstLine } from './read-secret.js';
import { VERSION } from './version.js';

interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
}

function configFrom(options: GlobalOptions & { host?: string; port?: string }): Config {
  return loadConfig(process.env, {
    HMAS_DATA_DIR: options.dataDir,
    DATABASE_URL: options.databaseUrl,
    HMAS_HOST: options.host,
    HMAS_PORT: options.port,
  });
}

// Heavy modules (database, HTTP server) load only when a command needs them, so --help is instant.
async function withUsers<T>(options: GlobalOptions, fn: (users: UserService) => Promise<T>): Promise<T> {
  const [{ openConfiguredDatabase }, { createUserRepo }, { createUserService }] = await Promise.all([
    import('./database.js'),
    import('../services/users/user-repo.js'),
    import('../services/users/user-service.js'),
  ]);
  const database = await openConfiguredDatabase(configFrom(options));
  try {
    return await fn(createUserService({ repo: createUserRepo(database.db) }));
  } finally {
    await database.close();
  }
}

async function readPassword(fromStdin: boolean | undefined, label: string, confirm = true): Promise<string> {
  const password = fromStdin ? await readFirstLine() : await promptHidden(`${label}: `);
  if (!fromStdin && confirm) {
    const again = await promptHidden(`${label} (again): `);
    if (again !== password) throw new Error('The two passwords differ.');
  }
  return passwordSchema.parse(password);
}

function parseWith<T>(parse: (value: string) => T) {
  return (value: string) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof ZodError ? (error.issues[0]?.message ?? 'invalid value') : String(error));
    }
  };
}

function printServerBanner(url: string, generatedAdminPassword: string | undefined): void {
  const lines = [`H-MAS is running: ${url}`, `API docs: ${url}/api/docs`];
  if (generatedAdminPassword) {
    lines.push(
      '',
      'First start: created user "admin" with the password',
      `    ${generatedAdminPassword}`,
      'It is shown only this once. Change it under Settings → Profile after signing in.',
    );
  }
  process.stdout.write(`\n${lines.map((line) => `  ${line}`).join('\n')}\n\n`);
}

export function buildCli(): Command {
  const program = new Command('hmas')
    .description('H-MAS: a control plane for serving LLMs on GPU clusters.\nConfiguration comes from environment variables (see README); flags override them.')
    .version(VERSION)
    .addOption(new Option('--data-dir <dir>', 'data directory (embedded database, generated secrets)').env('HMAS_DATA_DIR'))
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL; unset = embedded PGlite in the data directory').env('DATABASE_URL'))
    .addOption(new Option('--server <url>', 'H-MAS server that login, cluster and model commands talk to').env('HMAS_SERVER').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <jwt>', 'session token (default: the one "hmas login" kept)').env('HMAS_TOKEN'))
    .addOption(new Option('--credentials-file <file>', 'where "hmas login" keeps tokens').env('HMAS_CREDENTIALS_FILE').hideHelp())
    .addOption(new Option('-o, --output <format>', 'output of list and show commands').choices(['table', 'json']).default('table'))
    .showHelpAfterError('(run with --help for usage)');

  registerSessionCommands(program, (fromStdin, label) => readPassword(fromStdin, label, false));
  registerClusterCommands(program);
  registerModelCommands(program);
  registerDeploymentCommands(program);
  registerEventCommands(program);
  registerRolloutCommands(program);
  registerSecretCommands(program);
  registerSystemCommands(program);

  program
    .command('server')
    .description('Start the H-MAS server: control API, web UI and background loops.')
    .addOption(new Option('--host <address>', 'address to listen on').env('HMAS_HOST'))
    .addOption(new Option('--port <port>', 'port to listen on').env('HMAS_PORT'))
    .action(async (options: { host?: string; port?: string }) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const { startServer } = await import('./server.js');
      const server = await startServer(config);
      printServerBanner(server.url, server.generatedAdminPassword);
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) {
          server.logger.warn({ signal }, 'second signal: exiting now');
          process.exit(1);
        }
        server.logger.info({ signal }, 'signal received');
        server.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            server.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit (the server also does this at start).')
    .action(async () => {
      const config = configFrom(program.opts<GlobalOptions>());
      const [{ openConfiguredDatabase }, { migrate }] = await Promise.all([import('./database.js'), import('../db/migrate.js')]);
      const database = await openConfiguredDatabase(config, { migrate: false });
      try {
        const applied = await migrate(database);
        console.log(applied.length > 0 ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database is up to date.');
      } finally {
        await database.close();
      }
    });

  const wholeNumber = (min: number) =>
    parseWith((value) => {
      const number = Number(value);
      if (!/^\d+$/.test(value) || number < min) throw new Error(`expected a whole number ≥ ${min}`);
      return number;
    });
  program
    .command('runtime')
    .description('Serving runtimes H-MAS runs itself (deployments on the local host start them).')
    .command('llama')
    .description('Serve a GGUF model with the embedded llama.cpp (llama-server\'s API: /health, /metrics, OpenAI under /v1). Binds to HMAS_HOST.')
    .requiredOption('--model <file>', 'GGUF model file')
    .requiredOption('--port <port>', 'port to listen on (0: any free port)', wholeNumber(0))
    .option('--host <address>', 'address to listen on (default: HMAS_HOST; 0.0.0.0 in a container)')
    .option('--threads <n>', 'CPU threads for evaluation (default: the math cores)', wholeNumber(1))
    .option('--ctx <n>', 'context one request may use, in tokens (default: the model\'s, at most 4096)', wholeNumber(1))
    .option('--parallel <n>', 'requests generated at the same time; more wait in line', wholeNumber(1), 1)
    .option('--alias <name>', 'model id in /v1/models (default: the file name)')
    .addOption(new Option('--gpu <mode>', 'where to compute').choices(['auto', 'cpu', 'cuda', 'vulkan', 'metal']).default('auto'))
    .action(async (options: { model: string; port: number; host?: string; threads?: number; ctx?: number; parallel: number; alias?: string; gpu: 'auto' | 'cpu' | 'cuda' | 'vulkan' | 'metal' }) => {
      const config = configFrom(program.opts<GlobalOptions>());
      const { runLlamaRuntime } = await import('../runtimes/embedded/run-llama.js');
      await runLlamaRuntime({
        ...options,
        host: options.host ?? config.host,
        logLevel: config.logLevel,
        logPretty: config.logPretty,
        shutdownGraceMs: config.shutdownDrainMs,
        ...(config.runtimeApiKey !== undefined ? { apiKey: config.runtimeApiKey } : {}),
      });
    });

  const users = program.command('users').description('Manage users directly in the database (works while the server is down).');

  users
    .command('list')
    .description('List users.')
    .option('--json', 'print JSON (as --output json)')
    .action(async (options: { json?: boolean }) => {
      const page = await withUsers(program.opts<GlobalOptions>(), (service) => service.list(500, 0));
      if (options.json || program.opts<{ output?: string }>().output === 'json') return console.log(JSON.stringify(page.items, null, 2));
      console.table(page.items.map((u) => ({ username: u.username, name: u.displayName, role: u.role, disabled: u.disabled, lastLogin: u.lastLoginAt ?? '-' })));
    });

  users
    .command('create <username>')
    .description('Create a user. The password is asked for on the terminal, or read from stdin with --password-stdin.')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).default('viewer').argParser(parseWith((v) => roleSchema.parse(v))))
    .option('--display-name <name>', 'display name (default: the username)')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(async (username: string, options: { role: (typeof ROLES)[number]; displayName?: string; passwordStdin?: boolean }) => {
      const name = parseWith((v) => usernameSchema.parse(v))(username);
      const password = await readPassword(options.passwordStdin, `Password for ${name}`);
      const user = await withUsers(program.opts<GlobalOptions>(), (service) =>
        service.create({ username: name, role: options.role, password, ...(options.displayName ? { displayName: options.displayName } : {}) }),
      );
      console.log(`Created user ${user.username} (${user.role}).`);
    });

  users
    .command('passwd <username>')
    .description("Set a user's password (signs out their sessions). Asked for on the terminal, or read from stdin with --password-stdin.")
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action(async (username: string, options: { passwordStdin?: boolean }) => {
      const name = parseWith((v) => usernameSchema.parse(v))(username);
      const password = await readPassword(options.passwordStdin, `New password for ${name}`);
      await withUsers(program.opts<GlobalOptions>(), async (service) => {
        const page = await service.list(500, 0);
        const target = page.items.find((u) => u.username === name);
        if (!target) throw new Error(`No user named "${name}".`);
        await service.update(target.id, { password });
      });
      console.log(`Password of ${name} changed.`);
    });

  return program;
}

function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof ZodError) return error.issues.map((issue) => issue.message).join('; ');
  if (error instanceof AppError) return `${error.message} (${error.code})`;
  if (error instanceof ApiCallError) return `${error.message} (${error.code}${error.requestId ? `, request ${error.requestId}` : ''})`;
  return error instanceof Error ? error.message : String(error);
}

buildCli()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`hmas: ${describeFailure(error)}`);
    process.exit(1);
  });
