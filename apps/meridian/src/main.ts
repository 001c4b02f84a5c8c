import 'reflect-metadata';
import { ConfigError, loadConfig } from '@meridian/config';
import { isServiceName } from '@meridian/contracts';
import { examplesUrlFor, seed } from '@meridian/examples';
import { closeOnSignals, startService } from '@meridian/messaging';
import { runMigrations } from '@meridian/persistence';
import { startEdge } from '../../edge/src/edge.bootstrap';
import { startPlatform } from './platform';
import { AUDIT_USAGE, auditCommand } from './cli/audit.command';
import { HEALTHCHECK_USAGE, HealthcheckFailed, healthcheckCommand } from './cli/healthcheck.command';
import { requireDatabase, UsageError } from './cli/cli-context';
import { DB_DOWNGRADE_USAGE, dbDowngradeCommand } from './cli/db-downgrade.command';
import { ROLES_USAGE, rolesCommand } from './cli/roles.command';
import { SECRETS_USAGE, secretsCommand } from './cli/secrets.command';
import { TOKEN_USAGE, tokenCommand } from './cli/token.command';
import { USERS_USAGE, usersCommand } from './cli/users.command';
import { SERVICE_MODULES } from './services';

const USAGE = `Usage: meridian <command>

  start                 run every service and the edge in one process (default)
  serve <service>       run one service: edge, catalog, chart, sql or audit
  db upgrade            apply database migrations to SQLALCHEMY_DATABASE_URI
  db downgrade          revert migrations (the newest, or down to --to NAME, or --all)
  db seed               create the example data and content
  users ...             list, create, deactivate or activate users
  roles ...             list or create roles, grant or revoke them
  token ...             mint a short-lived test token (MCP_JWT_SECRET, HS* only)
  secrets reencrypt     rewrite stored secrets under SECRET_KEY after a rotation
  healthcheck           ask the server running here for /ready (the image's HEALTHCHECK)

${DB_DOWNGRADE_USAGE}
${USERS_USAGE}
${ROLES_USAGE}
${TOKEN_USAGE}
${SECRETS_USAGE}
${AUDIT_USAGE}
${HEALTHCHECK_USAGE}

Configuration comes from environment variables; see the README.`;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function run(argv: string[]): Promise<void> {
  const [command = 'start', arg] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return say(USAGE);
  // Settings of the process it checks, not of this one.
  if (command === 'healthcheck') return healthcheckCommand(argv.slice(1), say);
  let config = loadConfig();

  if (command === 'start') {
    // On a terminal, unless told otherwise: readable lines, warnings and errors only. Services and
    // containers (no terminal) keep JSON lines at LOG_LEVEL.
    const quiet = Boolean(process.stdout.isTTY) && !config.logChosen;
    if (quiet) config = { ...config, logLevel: 'warn', logPretty: true };
    const started = watchStart();
    const platform = await startPlatform(config, { log: say });
    started();
    const url = platform.edge.mcpUrl;
    say(
      `\nMeridian ${config.version} is running (all-in-one, ${platform.config.natsUrl ? 'NATS' : 'in-process'} transport).`,
    );
    say(`  MCP endpoint:  ${url}`);
    say(`  Health:        ${platform.edge.url}/health   Metrics: ${platform.edge.url}/metrics`);
    say(
      platform.config.auth.enabled
        ? `  Auth:          bearer tokens from ${platform.config.auth.issuer ?? 'the configured issuer'}\n`
        : `  Acting as:     ${platform.config.devUsername} (development identity, loopback only)\n`,
    );
    if (quiet) say('  Logs:          warnings and errors only here (set LOG_LEVEL=info for every call)\n');
    say('Connect a client (Cursor, or any client that speaks Streamable HTTP):');
    say(JSON.stringify({ mcpServers: { meridian: { url } } }, null, 2));
    say('Claude Desktop (through the mcp-remote bridge):');
    say(
      JSON.stringify(
        { mcpServers: { meridian: { command: 'npx', args: ['-y', 'mcp-remote', url] } } },
        null,
        2,
      ),
    );
    closeOnSignals(() => platform.close(), say);
    return;
  }

  if (command === 'serve') {
    if (!arg || !isServiceName(arg)) throw new Error(`serve needs a service name\n\n${USAGE}`);
    if (arg === 'edge') {
      const edge = await startEdge(config);
      say(`Meridian edge listening on ${edge.mcpUrl}`);
      closeOnSignals(() => edge.close(), say);
      return;
    }
    const service = await startService({ service: arg, module: SERVICE_MODULES[arg](config), config });
    say(`Meridian ${arg} service running; health and metrics on ${service.url}`);
    closeOnSignals(() => service.close(), say);
    return;
  }

  if (command === 'db' && arg === 'upgrade') {
    const ran = await runMigrations(requireDatabase(config));
    say(ran.length ? `Applied: ${ran.join(', ')}` : 'Database is up to date');
    return;
  }

  if (command === 'db' && arg === 'downgrade') return dbDowngradeCommand(config, argv.slice(2), say);

  if (command === 'db' && arg === 'seed') {
    const url = requireDatabase(config);
    if (!config.secretKey)
      throw new Error('SECRET_KEY is required to seed (it encrypts the example password)');
    const report = await seed({
      metadataUrl: url,
      examplesUrl: config.examplesDatabaseUrl ?? examplesUrlFor(url),
      secretKey: config.secretKey,
      mariadbUrl: config.mariadbExamplesUrl,
    });
    say(JSON.stringify(report, null, 2));
    return;
  }

  const rest = argv.slice(1);
  if (command === 'users') return usersCommand(config, rest, say);
  if (command === 'roles') return rolesCommand(config, rest, say);
  if (command === 'token') return tokenCommand(config, rest, say);
  if (command === 'secrets') return secretsCommand(config, rest, say);
  if (command === 'audit') return auditCommand(config, rest, say);

  throw new UsageError(`Unknown command: ${argv.join(' ')}\n\n${USAGE}`);
}

/**
 * A start that leaves nothing pending without finishing (a promise no one will ever settle) would
 * otherwise end the process silently with status 0.
 */
function watchStart(): () => void {
  const onEmpty = () => {
    console.error(
      'The start did not complete: nothing was left to wait for. This is a bug; please report it.',
    );
    process.exitCode = 1;
  };
  process.once('beforeExit', onEmpty);
  return () => process.removeListener('beforeExit', onEmpty);
}

run(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else if (err instanceof HealthcheckFailed) say(err.message);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
