import { openDatabase } from "../../../automation/db/sqlDatabase";
import { PostgresServer } from "../../support/postgresServer";
import { databaseContract } from "../../unit/automation/databaseSuite";

describe("PostgreSQL database (a real server)", function () {
  this.timeout(60_000);
  let server: PostgresServer;
  let n = 0;
  before(async () => {
    server = await PostgresServer.start();
  });
  after(() => server?.stop());
  databaseContract(() => openDatabase(server.createDatabase(`registry_${n++}`)));
});
