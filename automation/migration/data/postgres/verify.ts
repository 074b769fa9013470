import { tenantDatabase } from "../../../../schema/naming";
import type { MigrationSettings } from "../settings";
import { withDatabase } from "./connection";
import { compareFingerprints, fingerprint } from "./fingerprint";

/** What was compared of the tenant's database, and every difference found. */
export interface PostgresComparison {
  /** Tables compared. */
  readonly tables: number;
  /** Rows of the source's tables. */
  readonly rows: number;
  /** Lines of the fingerprint compared (attributes, roles, grants, relations, sequences, large objects, tables). */
  readonly checked: number;
  readonly differences: string[];
}

/** Compares the tenant's database in source and target, line by line of their fingerprints. */
export async function comparePostgres(settings: MigrationSettings): Promise<PostgresComparison> {
  const database = tenantDatabase(settings.tenant);
  const source = await withDatabase(settings.source.postgresUrl, database, fingerprint);
  const target = await withDatabase(settings.target.postgresUrl, database, fingerprint);
  const rowLines = Object.entries(source).filter(([key]) => key.startsWith("table ") && key.endsWith(" rows"));
  return {
    tables: rowLines.length,
    rows: rowLines.reduce((sum, [, value]) => sum + Number(value), 0),
    checked: Object.keys(source).length,
    differences: compareFingerprints(source, target),
  };
}
