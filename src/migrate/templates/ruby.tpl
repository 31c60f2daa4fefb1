# Ruby: one client per process (a constant), values memoised.
=== meta
caching: no
install: gem install aws-sdk-secretsmanager
patch: none
=== setup
require "json"
require "aws-sdk-secretsmanager"

# One client for the process; each value is fetched once (restart after a rotation).
SECRETS_CLIENT = Aws::SecretsManager::Client.new
SECRET_VALUES = {}

def secret_value(name, key = nil)
  value = (SECRET_VALUES[name] ||= SECRETS_CLIENT.get_secret_value(secret_id: name).secret_string)
  key ? JSON.parse(value).fetch(key) : value
end
=== read
@@VAR@@ = secret_value("@@NAME@@", "@@KEY@@")
=== read-plain
@@VAR@@ = secret_value("@@NAME@@")
