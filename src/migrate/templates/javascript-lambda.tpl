# Node.js on AWS Lambda: the AWS Parameters and Secrets Lambda Extension (a layer) caches
# secrets next to the function; the code asks it over localhost with fetch (Node 18+).
=== meta
caching: no
install: add the AWS-Parameters-and-Secrets-Lambda-Extension layer to the function
patch: none
no-patch: a Lambda handler reads the extension inside the handler, once the function is initialised
=== setup
async function secretValue(name, key) {
  // Call from the handler: the extension answers once the function is initialised.
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || "2773";
  const res = await fetch(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(name)}`, {
    headers: { "X-Aws-Parameters-Secrets-Token": process.env.AWS_SESSION_TOKEN },
  });
  if (!res.ok) {
    throw new Error(`secret ${name}: the extension answered HTTP ${res.status}`);
  }
  const value = (await res.json()).SecretString;
  return key ? JSON.parse(value)[key] : value;
}
=== read
const @@CVAR@@ = () => secretValue("@@NAME@@", "@@KEY@@");
=== read-plain
const @@CVAR@@ = () => secretValue("@@NAME@@");
