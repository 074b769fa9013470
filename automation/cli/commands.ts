/**
 * The `tenantstack` CLI's commands and flags, one table: the global usage, each command's help
 * (`tenantstack <command> --help`, `tenantstack help <command>`), the options `parseArgs` takes, the
 * flags each command accepts and the flag each field of the driver's input models comes from are all
 * generated from it. What a command does is `requests.ts`'s (operations) or `main.ts`'s.
 */
import { didYouMean } from "../../schema/keys";
import { CONCURRENCY_MAX, OPERATION_KINDS, OPERATION_LIST_MAX, OPERATION_STATUSES, WAVE_MAX } from "../../schema/driverValues";
import { InputError } from "../errors";

/** A flag of the CLI. */
interface FlagDoc {
  /** `string` flags take a value; `boolean` ones do not. */
  readonly type: "string" | "boolean";
  /** Whether it may be given more than once. */
  readonly multiple?: boolean;
  /** The name of its value in the help (`N`, `FILE.json`). */
  readonly value?: string;
  /** Whether every command takes it (the driver's options, `--json`, `--help`). */
  readonly global?: boolean;
  /** The field of the driver's input models it sets, so that a message about that field names the flag. */
  readonly field?: string;
  /** What it does. */
  readonly does: string;
}

const kinds = OPERATION_KINDS.join("|");

/** Every flag of the CLI. */
export const FLAGS = {
  "state-dir": {
    type: "string",
    value: "DIR",
    global: true,
    field: "stateDir",
    does: "driver files (default ~/.tenantstack; env TENANTSTACK_STATE_DIR)",
  },
  backend: {
    type: "string",
    value: "URL",
    global: true,
    does: "file://, s3://, gs://, azblob:// or https://api.pulumi.com (env TENANTSTACK_BACKEND_URL)",
  },
  "secrets-provider": {
    type: "string",
    value: "P",
    global: true,
    does: "passphrase (env TENANTSTACK_PASSPHRASE) or a KMS/Key Vault/Vault URL",
  },
  database: {
    type: "string",
    value: "URL",
    global: true,
    field: "database",
    does: "SQLite file or postgres:// URL (env TENANTSTACK_DATABASE_URL)",
  },
  identity: {
    type: "string",
    value: "ID",
    global: true,
    field: "identity",
    does: "this driver's host identity in its leases, one per driver sharing --database (default the host name; env TENANTSTACK_IDENTITY)",
  },
  "lease-ttl": {
    type: "string",
    value: "SECONDS",
    global: true,
    field: "leaseTtlSeconds",
    does: "seconds a lease lives without a heartbeat before another driver may take it over (default 60; env TENANTSTACK_LEASE_TTL_SECONDS)",
  },
  heartbeat: {
    type: "string",
    value: "SECONDS",
    global: true,
    field: "heartbeatSeconds",
    does: "seconds between the heartbeats renewing this driver's leases (default a third of --lease-ttl; env TENANTSTACK_HEARTBEAT_SECONDS)",
  },
  executor: {
    type: "string",
    value: "local|kubernetes",
    global: true,
    field: "executor",
    does: "where stack jobs run: worker processes on this host, or Kubernetes Jobs as --runners says (default local; env TENANTSTACK_EXECUTOR)",
  },
  runners: {
    type: "string",
    value: "FILE",
    global: true,
    field: "runners",
    does: 'JSON of the Kubernetes executor\'s settings, at least { "image": "<runner image>" } (env TENANTSTACK_RUNNERS)',
  },
  pulumi: { type: "string", value: "PATH", global: true, does: "the Pulumi CLI (default: the toolchain cache, else PATH)" },
  kubeconfig: {
    type: "string",
    value: "FILE",
    global: true,
    does: "the cluster of the stacks when --clusters is not given (env KUBECONFIG)",
  },
  "data-plane": {
    type: "string",
    value: "FILE",
    global: true,
    does: 'JSON { "<stack>": { postgresUrl, redisUrl } } for migrate and gc, or `cluster`: each stack\'s own postgres-0 and redis-0 pods, read from its cluster (env TENANTSTACK_DATA_PLANE)',
  },
  clusters: {
    type: "string",
    value: "N=FILE,...",
    global: true,
    does: "the clusters stacks run on, each with its kubeconfig (default local=--kubeconfig; env TENANTSTACK_CLUSTERS)",
  },
  json: { type: "boolean", global: true, does: "machine-readable result, and errors, on stdout" },
  help: { type: "boolean", global: true, does: "this help, or a command's with its flags and an example" },
  tenant: {
    type: "string",
    multiple: true,
    value: "T",
    field: "tenants",
    does: "a tenant whose stack the operation works on; repeat it for more (default: every stack)",
  },
  concurrency: { type: "string", value: "N", field: "concurrency", does: `stacks at once, 1 to ${CONCURRENCY_MAX} (default 2)` },
  "operation-id": {
    type: "string",
    value: "ID",
    field: "operationId",
    does: "the operation's id (default: a new one); to resume one, see `operation resume`",
  },
  host: { type: "string", value: "H", field: "host", does: "the tenant's public host name" },
  plan: { type: "string", value: "shared|dedicated", field: "plan", does: "a stack of its own, or the environment's shared stack" },
  version: { type: "string", value: "V", field: "version", does: "the app version: the image tag of the API and worker" },
  environment: { type: "string", value: "dev|staging|prod", field: "environment", does: "the environment of its stack (default dev)" },
  region: { type: "string", value: "R", field: "region", does: "the region of its cluster (default local)" },
  cluster: { type: "string", value: "C", field: "cluster", does: "the cluster its stack runs on, one of --clusters (default local)" },
  settings: { type: "string", value: "FILE.json", field: "settings", does: "the stack's settings (a JSON map of `tenantstack:*` keys)" },
  "save-plan": { type: "boolean", field: "savePlan", does: "save each stack's plan for an approved `up --saved-plan`" },
  "saved-plan": { type: "boolean", field: "savedPlan", does: "apply exactly the plan the last `preview --save-plan` saved" },
  "force-destroy-data": { type: "boolean", field: "forceDestroyData", does: "destroy protected data too (volume claims are kept)" },
  destroy: {
    type: "boolean",
    field: "destroy",
    does: "destroy the tenant's stack first (a shared one: updated without it)",
  },
  canary: { type: "string", value: "N", field: "canary", does: `stacks of the first wave, 0 to ${WAVE_MAX} (default 1)` },
  "wave-size": { type: "string", value: "N", field: "waveSize", does: `stacks of each later wave, 1 to ${WAVE_MAX} (default 5)` },
  rollback: { type: "boolean", field: "rollback", does: "roll back" },
  "http-check": {
    type: "string",
    value: "URL",
    field: "httpCheckUrl",
    does: "a URL that must answer 2xx once a stack is ready ({stack} and {namespace} are replaced)",
  },
  to: { type: "string", value: "shared|dedicated", field: "to", does: "the plan the tenant moves to" },
  "dry-run": { type: "boolean", field: "dryRun", does: "only plan: the steps, the stacks touched, the data sizes" },
  now: { type: "string", value: "ISO-TIME", field: "now", does: "the time grace periods are compared with (default: now)" },
  port: { type: "string", value: "P", field: "port", does: "the port to listen on (default 8480)" },
  listen: { type: "string", value: "HOST", field: "host", does: "the address to listen on (default 127.0.0.1)" },
  status: { type: "string", value: OPERATION_STATUSES.join("|"), field: "status", does: "only operations in this state" },
  kind: { type: "string", value: "KIND", field: "kind", does: `only operations of this kind: ${kinds}` },
  limit: { type: "string", value: "N", field: "limit", does: `most operations shown, 1 to ${OPERATION_LIST_MAX} (default 50)` },
} as const satisfies Record<string, FlagDoc>;

/** The name of a flag. */
export type FlagName = keyof typeof FLAGS;

/** A command of the CLI. */
export interface CommandDoc {
  /** Its words: `tenant create`, `fleet upgrade`. */
  readonly name: string;
  /** Its positional arguments as the usage shows them (`<tenant>`), each an input field for messages. */
  readonly args?: readonly { readonly name: string; readonly field?: string }[];
  /** The flags it needs. */
  readonly required?: readonly FlagName[];
  /** The flags it may take (the global flags are every command's). */
  readonly flags?: readonly FlagName[];
  /** What its flags do where it differs from their general description. */
  readonly flagDocs?: Partial<Readonly<Record<FlagName, string>>>;
  /** What it does, in a line. */
  readonly summary: string;
  /** More about it, for its help. */
  readonly details?: string;
  /** An example command line. */
  readonly example: string;
  /** Whether it runs operations on stacks, and so needs the secrets provider's passphrase. */
  readonly stacks: boolean;
}

const TENANT_FLAGS = ["host", "plan", "version", "environment", "region", "cluster", "settings"] as const satisfies readonly FlagName[];
const OPERATION_FLAGS = ["concurrency", "operation-id"] as const satisfies readonly FlagName[];

/** Every command, in the order the usage lists them. */
export const COMMANDS: readonly CommandDoc[] = [
  {
    name: "tenant create",
    args: [{ name: "<name>", field: "name" }],
    required: ["host", "plan", "version"],
    flags: ["environment", "region", "cluster", "settings"],
    summary: "register a tenant; no stack is touched (bring it up with `up`, or use `provision`)",
    details: "Checked by the program's own schema for the whole stack, as `provision` and `POST /tenants` check it.",
    example: "tenantstack tenant create acme --host acme.example.com --plan dedicated --version 2.4.1 --settings acme.json",
    stacks: false,
  },
  {
    name: "tenant list",
    summary: "the registered tenants (reads the registry only: no passphrase needed)",
    example: "tenantstack tenant list --json",
    stacks: false,
  },
  {
    name: "tenant show",
    args: [{ name: "<name>", field: "name" }],
    summary: "a tenant's registration, as JSON",
    example: "tenantstack tenant show acme",
    stacks: false,
  },
  {
    name: "tenant update",
    args: [{ name: "<name>", field: "tenant" }],
    flags: ["host", "version", "region", "settings", "dry-run", ...OPERATION_FLAGS],
    flagDocs: {
      host: "the tenant's new public host name",
      version: "the new app version",
      region: "the region of its cluster",
      settings: "a JSON merge patch of its settings: merged into them, `null` removes a key",
      "dry-run": "store nothing: preview its stack with the change instead",
    },
    summary: "change a tenant, checked as at create; its stack follows at the next `up`",
    details:
      "Its plan, environment and cluster are not changed by an update (a tenant changes plan with `migrate`). " +
      "One journaled operation; --dry-run previews its stack, and so needs the passphrase.",
    example: "tenantstack tenant update acme --version 2.5.0 --settings patch.json --dry-run",
    stacks: true,
  },
  {
    name: "tenant delete",
    args: [{ name: "<name>", field: "tenant" }],
    flags: ["destroy", "force-destroy-data", ...OPERATION_FLAGS],
    flagDocs: { "force-destroy-data": "with --destroy: destroy protected data too (volume claims are kept)" },
    summary: "remove a tenant from the registry; refused while its stack is live (exit 2) unless --destroy",
    details:
      "With --destroy, its stack is destroyed first (a shared one is updated without it), then the registration " +
      "deleted, in one journaled operation that a re-run of its id resumes. Asks the backend whether the stack is live, " +
      "and so needs the passphrase.",
    example: "tenantstack tenant delete acme --destroy",
    stacks: true,
  },
  {
    name: "provision",
    args: [{ name: "<name>", field: "name" }],
    required: ["host", "plan", "version"],
    flags: [...TENANT_FLAGS.filter((f) => !["host", "plan", "version"].includes(f)), ...OPERATION_FLAGS],
    summary: "register a tenant and bring its stack up",
    example: "tenantstack provision acme --host acme.example.com --plan dedicated --version 2.4.1 --settings acme.json",
    stacks: true,
  },
  {
    name: "preview",
    flags: ["tenant", "save-plan", ...OPERATION_FLAGS],
    summary: "the changes each stack would get; --save-plan saves the plan to approve",
    example: "tenantstack preview --tenant acme --save-plan",
    stacks: true,
  },
  {
    name: "up",
    flags: ["tenant", "saved-plan", ...OPERATION_FLAGS],
    summary: "update stacks to their registered settings; --saved-plan applies exactly the saved plan",
    example: "tenantstack up --tenant acme --saved-plan",
    stacks: true,
  },
  {
    name: "refresh",
    flags: ["tenant", ...OPERATION_FLAGS],
    summary: "refresh stacks from the cluster and report the drift",
    example: "tenantstack refresh --tenant acme",
    stacks: true,
  },
  {
    name: "outputs",
    flags: ["tenant", ...OPERATION_FLAGS],
    summary: "the stacks' outputs (secrets shown as [secret])",
    example: "tenantstack outputs --tenant acme --json",
    stacks: true,
  },
  {
    name: "destroy",
    required: ["tenant"],
    flags: ["force-destroy-data", ...OPERATION_FLAGS],
    summary: "destroy the stacks of tenants (a shared stack only with all its tenants); they stay registered",
    details: "Refused while a stack holds protected data (Postgres, Redis, backups) unless --force-destroy-data.",
    example: "tenantstack destroy --tenant acme",
    stacks: true,
  },
  {
    name: "recover",
    args: [{ name: "<stack>", field: "stack" }],
    flags: OPERATION_FLAGS,
    summary: "repair the checkpoint, cancel a stale lock, adopt or clear pending operations, refresh",
    example: "tenantstack recover dev-acme",
    stacks: true,
  },
  {
    name: "fleet upgrade",
    required: ["version"],
    flags: ["tenant", "canary", "wave-size", "rollback", "http-check", ...OPERATION_FLAGS],
    flagDocs: { rollback: "roll a stack that fails (its update or its health gate) back to its previous version" },
    summary: "roll a new version across the fleet in waves, canary first, stopping on a failed health gate",
    example:
      "tenantstack fleet upgrade --version 2.5.0 --canary 1 --wave-size 5 --rollback --http-check 'https://{stack}.example.com/healthz'",
    stacks: true,
  },
  {
    name: "migrate",
    args: [{ name: "<tenant>", field: "tenant" }],
    flags: ["to", "cluster", "settings", "dry-run", "rollback", ...OPERATION_FLAGS],
    flagDocs: {
      cluster: "the target cluster, one of --clusters (default: the tenant's)",
      settings: "the settings of a dedicated target stack",
      rollback: "move the tenant back while its last migration's source copy is kept (--to may be omitted)",
    },
    summary: "move a tenant between the shared stack and a stack of its own (--rollback: back while the source copy is kept)",
    details: "Needs --data-plane (or TENANTSTACK_DATA_PLANE): where each stack's Postgres and Redis servers are.",
    example: "tenantstack --data-plane servers.json migrate acme --to dedicated --dry-run",
    stacks: true,
  },
  {
    name: "gc",
    flags: ["now", ...OPERATION_FLAGS],
    summary: "remove migrations' source copies past their grace period",
    example: "tenantstack --data-plane servers.json gc",
    stacks: true,
  },
  {
    name: "operation list",
    flags: ["status", "kind", "limit"],
    summary: "the journal's operations, newest first",
    example: "tenantstack operation list --status failed",
    stacks: false,
  },
  {
    name: "operation show",
    args: [{ name: "<id>" }],
    summary: "an operation's status, steps and result",
    example: "tenantstack operation show 0b6f1c2e-5a7d-4c1e-9f3a-2d8e6b4a1c90 --json",
    stacks: false,
  },
  {
    name: "operation resume",
    args: [{ name: "<id>" }],
    flags: ["concurrency"],
    summary: "resume a failed, cancelled or interrupted operation with the parameters it was started with",
    details: "Finished steps are not run again; refused when the registry no longer gives the same stacks and settings.",
    example: "tenantstack operation resume 0b6f1c2e-5a7d-4c1e-9f3a-2d8e6b4a1c90",
    stacks: true,
  },
  {
    name: "serve",
    flags: ["port", "listen"],
    summary: "the HTTP API (bearer token from TENANTSTACK_API_TOKEN)",
    example: "TENANTSTACK_API_TOKEN=... tenantstack serve --port 8480",
    stacks: true,
  },
  {
    name: "help",
    args: [{ name: "[command]" }],
    summary: "this usage, or a command's help",
    example: "tenantstack help fleet upgrade",
    stacks: false,
  },
];

const EXIT_CODES =
  "Exit codes: 0 ok, 1 a stack failed, 2 invalid input (a wrong passphrase too), 3 stack locked, 4 plan mismatch, 5 protected data, " +
  "69 a data server unavailable, 70 internal, 130 cancelled.";

/** A flag as a usage line shows it: `--version V`, `[--tenant T]...`. */
function flagUsage(name: FlagName, required: boolean): string {
  const flag: FlagDoc = FLAGS[name];
  const text = `--${name}${flag.value !== undefined ? ` ${flag.value}` : ""}`;
  return required ? text : `[${text}]${flag.multiple ? "..." : ""}`;
}

/** Rows of two columns, the first padded. */
function columns(rows: readonly (readonly [string, string])[], indent = "  "): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd());
}

/** A command's usage line. */
export function synopsis(command: CommandDoc): string {
  return [
    `tenantstack [options] ${command.name}`,
    ...(command.args ?? []).map((a) => a.name),
    ...(command.required ?? []).map((f) => flagUsage(f, true)),
    ...(command.flags ?? []).map((f) => flagUsage(f, false)),
  ].join(" ");
}

/** The global usage: every command in a line, the global options, the exit codes. */
export function usage(): string {
  return [
    "Usage: tenantstack [options] <command> [flags]",
    "",
    "Commands:",
    ...columns(COMMANDS.map((c) => [[c.name, ...(c.args ?? []).map((a) => a.name)].join(" "), c.summary])),
    "",
    "Run `tenantstack <command> --help` (or `tenantstack help <command>`) for a command's flags and an example.",
    "",
    "Options (every command):",
    ...columns(globalFlags().map((name) => [flagUsage(name, true), FLAGS[name].does])),
    EXIT_CODES,
  ].join("\n");
}

/** The flags every command takes. */
function globalFlags(): FlagName[] {
  return (Object.keys(FLAGS) as FlagName[]).filter((name) => (FLAGS[name] as FlagDoc).global === true);
}

/** A command's help: its usage line, what it does, its flags and an example. */
export function commandHelp(command: CommandDoc): string {
  const own = [...(command.required ?? []), ...(command.flags ?? [])];
  return [
    `Usage: ${synopsis(command)}`,
    "",
    `${command.summary[0].toUpperCase()}${command.summary.slice(1)}.${command.details ? ` ${command.details}` : ""}`,
    ...(command.stacks ? [] : ["It touches no stack: the secrets provider's passphrase is not needed."]),
    ...(own.length > 0
      ? ["", "Flags:", ...columns(own.map((name) => [flagUsage(name, true), command.flagDocs?.[name] ?? FLAGS[name].does]))]
      : []),
    "",
    "Options of every command (--state-dir, --json, ...): `tenantstack --help`.",
    "",
    "Example:",
    `  ${command.example}`,
  ].join("\n");
}

/** The help of a group of commands (`tenant`, `fleet`, `operation`): each of its commands in a line. */
export function groupHelp(group: string): string | undefined {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  if (members.length === 0) return undefined;
  return [
    `Usage: tenantstack [options] ${group} <${members.map((c) => c.name.slice(group.length + 1)).join("|")}> ...`,
    "",
    ...columns(members.map((c) => [[c.name, ...(c.args ?? []).map((a) => a.name)].join(" "), c.summary])),
    "",
    `Run \`tenantstack ${members[0].name} --help\` for a command's flags and an example.`,
  ].join("\n");
}

/** The command the positional arguments name (its words first), and its own arguments; undefined for none. */
export function commandOf(positionals: readonly string[]): { command: CommandDoc; args: string[] } | undefined {
  const two = COMMANDS.find((c) => c.name === positionals.slice(0, 2).join(" "));
  if (two && two.name.includes(" ")) return { command: two, args: positionals.slice(2) };
  const one = COMMANDS.find((c) => c.name === positionals[0]);
  return one ? { command: one, args: positionals.slice(1) } : undefined;
}

/**
 * The message of an option no command takes (`parseArgs`' own, `Unknown option '--concurency'. ...`), with the
 * flag it most likely meant: one of `command`'s and the global ones, or any flag when the command is not known.
 */
export function unknownOptionMessage(message: string, command?: CommandDoc): string {
  const option = /^Unknown option '(-[^']*)'/.exec(message)?.[1];
  if (option === undefined) return message;
  const names = command ? [...(command.required ?? []), ...(command.flags ?? []), ...globalFlags()] : Object.keys(FLAGS);
  const hint = didYouMean(
    option,
    names.map((name) => `--${name}`),
  );
  return message.replace(`Unknown option '${option}'`, `Unknown option '${option}'${hint}`);
}

/** The message of positional arguments that name no command, with the command they most likely meant. */
export function unknownCommandMessage(positionals: readonly string[]): string {
  const names = COMMANDS.map((c) => c.name);
  const hint = didYouMean(positionals.slice(0, 2).join(" "), names) || didYouMean(positionals[0], names);
  return `\`command\` must be one of the commands of \`tenantstack --help\`${hint} (got "${positionals.join(" ")}")`;
}

/** Refuses flags a command does not take, naming the ones it does; a command without flags of its own says so. */
export function checkFlags(command: CommandDoc, given: readonly string[]): void {
  const own = new Set<string>([...(command.required ?? []), ...(command.flags ?? [])]);
  const global = new Set<string>(globalFlags());
  const foreign = given.filter((name) => !own.has(name) && !global.has(name));
  if (foreign.length === 0) return;
  const takes = own.size > 0 ? `its flags are ${[...own].map((f) => `--${f}`).join(", ")}` : "it takes no flags of its own";
  throw new InputError(
    "options",
    foreign.map((name) => `\`--${name}\` is not a flag of \`${command.name}\`: ${takes} (see \`tenantstack ${command.name} --help\`)`),
  );
}

/** The flag (or argument) each field of the driver's input models comes from, for messages. */
export const FIELD_FLAGS: Readonly<Record<string, string>> = Object.fromEntries([
  ...(Object.keys(FLAGS) as FlagName[]).flatMap((name) => {
    const field = (FLAGS[name] as FlagDoc).field;
    // `--listen` sets the server's `host`, not a tenant's: `serve` names it itself.
    return field !== undefined && name !== "listen" ? [[field, `--${name}`]] : [];
  }),
  ...COMMANDS.flatMap((c) => (c.args ?? []).flatMap((a) => (a.field !== undefined ? [[a.field, a.name]] : []))),
]);
