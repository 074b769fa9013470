#!/usr/bin/env node
// The `tenantstack` command: runs the compiled CLI (dist/automation/cli/main.js). The published package
// ships it built; in a clone, `npm run build` makes it, and until then this says so instead of the
// shell's "tenantstack: not found" (npx links this file, which exists before any build).
"use strict";
const { existsSync } = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const cli = path.join(root, "dist/automation/cli/main.js");
if (!existsSync(cli)) {
  process.stderr.write(
    `tenantstack is not built: ${path.relative(process.cwd(), cli) || cli} is missing. In a clone, run \`npm run build\` in ${root} ` +
      "first (the package installed from npm ships it built).\n",
  );
  process.exit(2);
}
require(cli).runCommand();
