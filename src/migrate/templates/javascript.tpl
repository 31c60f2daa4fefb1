# JavaScript (CommonJS or ES module): SDK v3, one client per process, values memoised.
# Reading is asynchronous, so each secret gets an async accessor (`await awsSecretAccessKey()`).
=== meta
caching: no
install: npm install @aws-sdk/client-secrets-manager
patch: esm-after-imports
=== setup
const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");

// One client for the process; each value is fetched once (restart after a rotation).
const secretsClient = new SecretsManagerClient({});
const secretValues = new Map();

async function secretValue(name, key) {
  if (!secretValues.has(name)) {
    const out = await secretsClient.send(new GetSecretValueCommand({ SecretId: name }));
    secretValues.set(name, out.SecretString);
  }
  const value = secretValues.get(name);
  return key ? JSON.parse(value)[key] : value;
}
=== setup-esm
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";

// One client for the process; each value is fetched once (restart after a rotation).
const secretsClient = new SecretsManagerClient({});
const secretValues = new Map();

async function secretValue(name, key) {
  if (!secretValues.has(name)) {
    const out = await secretsClient.send(new GetSecretValueCommand({ SecretId: name }));
    secretValues.set(name, out.SecretString);
  }
  const value = secretValues.get(name);
  return key ? JSON.parse(value)[key] : value;
}
=== read
const @@CVAR@@ = () => secretValue("@@NAME@@", "@@KEY@@");
=== read-plain
const @@CVAR@@ = () => secretValue("@@NAME@@");
=== expr
(await secretValue("@@NAME@@", "@@KEY@@"))
=== expr-plain
(await secretValue("@@NAME@@"))
