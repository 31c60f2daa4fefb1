# How Python reads a secret: the caching client (one cache, hence one client, per process).
# Placeholders: @@NAME@@ secret name, @@KEY@@ JSON key, @@VAR@@ variable, @@AT@@ path:line.
=== meta
caching: yes
install: pip install boto3 aws-secretsmanager-caching
patch: after-imports
=== setup
import json as _ks_json

import botocore.session
from aws_secretsmanager_caching import SecretCache, SecretCacheConfig

# One client and one cache for the whole process, created when the module is imported.
_SECRET_CACHE = SecretCache(config=SecretCacheConfig(), client=botocore.session.get_session().create_client("secretsmanager"))


def secret_value(name, key=None):
    """The secret's current value (a JSON key of it when `key` is given), cached."""
    value = _SECRET_CACHE.get_secret_string(name)
    return _ks_json.loads(value)[key] if key else value
=== read
@@VAR@@ = secret_value("@@NAME@@", "@@KEY@@")
=== read-plain
@@VAR@@ = secret_value("@@NAME@@")
=== expr
secret_value("@@NAME@@", "@@KEY@@")
=== expr-plain
secret_value("@@NAME@@")
