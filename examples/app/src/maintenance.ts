/**
 * The maintenance flags: while `MAINTENANCE_DIR/<tenant>` holds `read-only` (the migration driver's
 * drain, through the ConfigMap `tenant-maintenance`), the tenant's writes are refused and the
 * worker takes none of its jobs; reads are still served. Re-read every interval, like the tenants'
 * files.
 */
import * as path from "node:path";
import { READ_ONLY } from "./contract";
import { FilePoller } from "./filePoller";
import type { Logger } from "./log";

/** Whether a flag file's content means read-only (surrounding white space ignored). */
export function isReadOnlyFlag(content: string | undefined): boolean {
  return content?.trim() === READ_ONLY;
}

/** The tenants' maintenance flags; see the module's comment. */
export class MaintenanceFlags {
  private readonly poller: FilePoller;

  constructor(
    private readonly tenants: readonly string[],
    private readonly dir: string,
    intervalMs: number,
    private readonly log: Logger,
  ) {
    this.poller = new FilePoller(
      tenants.map((tenant) => path.join(dir, tenant)),
      intervalMs,
      log,
    );
    this.poller.onChange((changes) => {
      for (const [file, content] of changes)
        this.log.info(isReadOnlyFlag(content) ? "tenant is read-only" : "tenant is writable", { tenant: path.basename(file) });
    });
  }

  /** Whether the tenant's writes must be refused now. */
  readOnly(tenant: string): boolean {
    return isReadOnlyFlag(this.poller.current(path.join(this.dir, tenant)));
  }

  /** The tenants that are read-only now. */
  readOnlyTenants(): string[] {
    return this.tenants.filter((tenant) => this.readOnly(tenant));
  }

  /** Reads the flags now and polls them until {@link stop}. */
  start(): Promise<void> {
    return this.poller.start();
  }

  /** Reads the flags once now. */
  poll(): Promise<void> {
    return this.poller.poll();
  }

  stop(): void {
    this.poller.stop();
  }
}
