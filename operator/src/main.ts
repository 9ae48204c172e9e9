#!/usr/bin/env node
// The `gatehouse` command. Usage errors (bad flags, bad config, missing files) print one
// line on stderr and exit 2; anything else unexpected prints one line and exits 1.
import { readFileSync } from "node:fs";
import v8 from "node:v8";
import { V8_HEAP_FLAGS } from "@gatehouse/core";
import { Command, CommanderError, Option } from "commander";
import { UsageError } from "./errors.js";
import { LOCAL_CONTROLLER } from "@gatehouse/provider-local";
import { createLogger, LOG_LEVELS } from "./logger.js";
import { computeOnce } from "./run.js";
import { parseStandaloneOptions, type RawStandaloneFlags } from "./standalone/options.js";
import { CLOUD_FLAGS, addRunOptions, parseCloudSettings, parseSettings, rawFromCommand } from "./run/settings.js";

const GATEWAY_API_VERSION = "v1.6.3";

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

function buildProgram(): Command {
  const version = packageVersion();
  const program = new Command("gatehouse")
    .description("Kubernetes Gateway API operator: one provider-neutral core, many backends.")
    .version(version, "-V, --version", "print the version")
    .addOption(new Option("--log-level <level>", "log level (logs are JSON on stderr)").choices(LOG_LEVELS).default("info").env("GATEHOUSE_LOG_LEVEL"))
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  const run = program
    .command("run")
    .description("Run the operator against a Kubernetes API server: watch Gateway API objects, program providers, write statuses")
    .addHelpText("after", [
      "",
      "Every flag can also be set by its environment variable (env: ...); the flag wins over the",
      "variable. Durations take a unit: 100ms, 2s, 1m. Addresses are [host]:port; 0 disables.",
    ].join("\n"));
  addRunOptions(run).action(async () => {
    const settings = parseSettings(rawFromCommand(run, program.opts<{ logLevel: string }>().logLevel));
    // Loaded on use: the Kubernetes client is slow to import and other commands do not need it.
    const { runOperator } = await import("./run/command.js");
    await runOperator(settings);
  });

  program
    .command("standalone")
    .description("Serve Gateway API manifests from files without Kubernetes: the local proxy, hot reload on change, statuses printed")
    // Checked in the action, not requiredOption(): commander would report a missing
    // --config before a misspelt flag, hiding the real mistake.
    .option("-c, --config <file-or-dir>", "config file (controllerName + manifests, see examples/standalone.yaml), a manifest file, or a directory of manifests")
    .option("--port-offset <n>", "added to every listener port (80 is served on 8080 with 8000)")
    .option("--workers <n>", "proxy worker threads (default: one per CPU)")
    .option("--address-pool <cidr>", "CIDRs Gateways without spec.addresses take their address from (repeatable or comma-separated; default 127.1.0.0/16)",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .addHelpText("after", [
      "",
      "Reads Gateway API objects, Services and EndpointSlices from the files, serves them and prints each",
      "object's status when it changes. Edits are picked up at once; a file that does not read cleanly",
      "(bad YAML, an object without kind or metadata.name, a wrong-typed field) is reported on stderr",
      "and the last good config keeps serving. Logs (JSON) go to stderr at --log-level (default here: error).",
    ].join("\n"))
    .action(async (flags: RawStandaloneFlags) => {
      const levelSource = program.getOptionValueSource("logLevel");
      // People read standalone's stdout; JSON info logs would bury it unless asked for.
      const logLevel = levelSource === "default" ? "error" : program.opts<{ logLevel: string }>().logLevel;
      const opts = parseStandaloneOptions(flags, logLevel);
      // A signal while the modules load (the Kubernetes client is slow to import) stops before starting.
      let signalled = false;
      const early = () => { signalled = true; };
      process.on("SIGINT", early).on("SIGTERM", early);
      const { runStandalone } = await import("./standalone/command.js");
      // The import does not yield to the event loop: let a signal that arrived meanwhile reach `early`.
      await new Promise((resolve) => setImmediate(resolve));
      process.off("SIGINT", early).off("SIGTERM", early);
      if (!signalled) await runStandalone(opts);
    });

  program
    .command("compute")
    .description("Compute statuses and desired state for manifest files or directories and print them as YAML")
    .option("-f, --filename <path>", "manifest file or directory (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("--controller-name <name>", "controllerName to serve", LOCAL_CONTROLLER)
    .action(async (opts: { filename: string[]; controllerName: string }) => {
      if (opts.filename.length === 0) throw new UsageError("compute: -f, --filename <path> is required (a manifest file or directory)");
      const log = createLogger(program.opts<{ logLevel: string }>().logLevel);
      const manifests = opts.filename.map((f, i) => ({ path: f, label: `-f[${i}]` }));
      const { yaml } = await computeOnce({ controllerName: opts.controllerName, manifests, log });
      process.stdout.write(yaml);
    });

  const plan = program
    .command("plan")
    .description("Print what a backend would change (cloud resources, proxy listeners) for manifest files or a cluster, applying nothing")
    .option("-f, --filename <path>", "manifest file or directory (repeatable); without it the cluster of --kubeconfig is read", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("--kubeconfig <path>", "kubeconfig of the cluster to read (default: $KUBECONFIG, else ~/.kube/config)")
    .option("--controller-name <name>", "controllerName whose backend plans", LOCAL_CONTROLLER)
    .addOption(new Option("-o, --output <format>", "output format").choices(["yaml", "json"]).default("yaml"));
  for (const s of CLOUD_FLAGS) {
    const o = new Option(`--${s.flag} <${s.arg}>`, s.help).env(s.env);
    if (s.default !== undefined) o.default(s.default);
    plan.addOption(o);
  }
  plan.addHelpText("after", [
    "",
    "Cloud backends read their APIs (GETs only) to diff; credentials come as for `run`. Example:",
    "  gatehouse plan -f manifests/ --controller-name gatehouse.dev/aws-vpc-lattice --aws-region us-west-2",
  ].join("\n"));
  plan.action(async (opts: { filename: string[]; kubeconfig?: string; controllerName: string; output: "yaml" | "json" } & Record<string, unknown>) => {
    const value = (flag: string) => {
      const v = opts[flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
      return typeof v === "string" ? v : undefined;
    };
    const cloud = parseCloudSettings(value, (flag, v, why) => { throw new UsageError(`--${flag}: ${JSON.stringify(v)} ${why}`); });
    const log = createLogger(program.getOptionValueSource("logLevel") === "default" ? "error" : program.opts<{ logLevel: string }>().logLevel);
    const { planOnce } = await import("./plan/command.js");
    const { text } = await planOnce({
      controllerName: opts.controllerName,
      manifests: opts.filename.map((f, i) => ({ path: f, label: `-f[${i}]` })),
      kubeconfig: opts.kubeconfig,
      settings: { ...cloud, localAddresses: "loopback", addressPool: ["127.1.0.0/16"], internalPorts: { from: 20000, to: 29999 }, proxyWorkers: 0 },
      log,
      output: opts.output,
    });
    process.stdout.write(text);
  });

  program
    .command("version")
    .description("Print the gatehouse, Gateway API and Node.js versions")
    .action(() => {
      process.stdout.write(`gatehouse ${version} (Gateway API ${GATEWAY_API_VERSION}, Node.js ${process.version})\n`);
    });

  return program;
}

/** One line, no stack: `gatehouse: <message>`. */
function oneLine(message: string): string {
  return `gatehouse: ${message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim()}\n`;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help / --version / help shown because no command was given
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      if (e.code === "commander.help" || e.code === "commander.executeSubCommandAsync") return e.exitCode === 0 ? 0 : 2;
      process.stderr.write(oneLine(e.message));
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(oneLine(e.message));
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(oneLine(`internal error: ${msg}`));
    if (process.env.GATEHOUSE_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

// Exit through exitCode, not process.exit(), so a large stdout is flushed first.
v8.setFlagsFromString(V8_HEAP_FLAGS); // peak memory; see packages/core/src/heap.ts
process.exitCode = await main(process.argv);
