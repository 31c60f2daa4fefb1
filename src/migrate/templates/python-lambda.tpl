# Python on AWS Lambda: the AWS Parameters and Secrets Lambda Extension (a layer) caches
# secrets next to the function; the code asks it over localhost, no SDK client at all.
=== meta
caching: no
install: add the AWS-Parameters-and-Secrets-Lambda-Extension layer to the function
patch: none
no-patch: a Lambda handler reads the extension inside the handler, once the function is initialised
=== setup
import json as _ks_json
import os as _ks_os
import urllib.parse as _ks_parse
import urllib.request as _ks_request


def secret_value(name, key=None):
    """The secret from the Parameters and Secrets extension's cache. Call it in the handler:
    the extension answers once the function is initialised."""
    port = _ks_os.environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")
    req = _ks_request.Request(
        f"http://localhost:{port}/secretsmanager/get?secretId={_ks_parse.quote(name, safe='')}",
        headers={"X-Aws-Parameters-Secrets-Token": _ks_os.environ["AWS_SESSION_TOKEN"]},
    )
    with _ks_request.urlopen(req, timeout=5) as resp:
        value = _ks_json.loads(resp.read())["SecretString"]
    return _ks_json.loads(value)[key] if key else value
=== read
def @@VAR@@():
    return secret_value("@@NAME@@", "@@KEY@@")
=== read-plain
def @@VAR@@():
    return secret_value("@@NAME@@")
