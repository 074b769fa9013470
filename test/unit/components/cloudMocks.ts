/** The outputs clouds compute for the resources the cloud integrations create, as the mocks fake them. */

/** Computed outputs of a cloud resource of `type` named `name`, from its inputs. */
export function cloudOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case "aws:iam/role:Role":
      return { name, arn: `arn:aws:iam::123456789012:role/${name}` };
    case "aws:secretsmanager/secret:Secret":
      return { arn: `arn:aws:secretsmanager:${inputs.region}:123456789012:secret:${inputs.name}-AbCdEf` };
    case "gcp:serviceaccount/account:Account": {
      const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
      return { email, name: `projects/${inputs.project}/serviceAccounts/${email}` };
    }
    case "azure-native:managedidentity:UserAssignedIdentity":
      return { name, clientId: `client-id-of-${name}`, principalId: `principal-id-of-${name}` };
    case "azure-native:storage:StorageAccount":
      return { name: inputs.accountName };
    default:
      return {};
  }
}
