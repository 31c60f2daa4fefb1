# PHP: one client per request process (a static), values memoised.
=== meta
caching: no
install: composer require aws/aws-sdk-php
patch: none
=== setup
<?php
use Aws\SecretsManager\SecretsManagerClient;

function secret_value(string $name, ?string $key = null): string
{
    // One client for the process; each value is fetched once.
    static $client = null;
    static $values = [];
    $client ??= new SecretsManagerClient(['version' => '2017-10-17']);
    $values[$name] ??= $client->getSecretValue(['SecretId' => $name])['SecretString'];
    return $key === null ? $values[$name] : json_decode($values[$name], true, 512, JSON_THROW_ON_ERROR)[$key];
}
=== read
$@@VAR@@ = secret_value('@@NAME@@', '@@KEY@@');
=== read-plain
$@@VAR@@ = secret_value('@@NAME@@');
