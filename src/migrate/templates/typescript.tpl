# TypeScript: SDK v3, one client per process, values memoised, typed accessors.
=== meta
caching: no
install: npm install @aws-sdk/client-secrets-manager
patch: esm-after-imports
=== setup
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";

// One client for the process; each value is fetched once (restart after a rotation).
const secretsClient = new SecretsManagerClient({});
const secretValues = new Map<string, string>();

async function secretValue(name: string, key?: string): Promise<string> {
  let value = secretValues.get(name);
  if (value === undefined) {
    const out = await secretsClient.send(new GetSecretValueCommand({ SecretId: name }));
    if (out.SecretString === undefined) {
      throw new Error(`secret ${name} has no string value`);
    }
    value = out.SecretString;
    secretValues.set(name, value);
  }
  return key ? String(JSON.parse(value)[key]) : value;
}
=== read
const @@CVAR@@ = (): Promise<string> => secretValue("@@NAME@@", "@@KEY@@");
=== read-plain
const @@CVAR@@ = (): Promise<string> => secretValue("@@NAME@@");
=== expr
(await secretValue("@@NAME@@", "@@KEY@@"))
=== expr-plain
(await secretValue("@@NAME@@"))
