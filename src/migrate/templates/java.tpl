# Java: the caching client (com.amazonaws.secretsmanager:aws-secretsmanager-caching-java),
# one static cache per class loader. The snippet is a class body; --patch puts the setup
# first in the class, so it is initialised before the fields that read through it.
=== meta
caching: yes
install: com.amazonaws.secretsmanager:aws-secretsmanager-caching-java (SDK v2)
patch: class-body
=== setup
// One client and cache for the process (it refreshes values after rotation).
private static final com.amazonaws.secretsmanager.caching.SecretCache SECRET_CACHE = new com.amazonaws.secretsmanager.caching.SecretCache();

static String secretValue(String name, String key) {
    String value = SECRET_CACHE.getSecretString(name);
    return key == null ? value : software.amazon.awssdk.protocols.jsoncore.JsonNode.parser().parse(value).asObject().get(key).asString();
}
=== read
static String @@CVAR@@() {
    return secretValue("@@NAME@@", "@@KEY@@");
}
=== read-plain
static String @@CVAR@@() {
    return secretValue("@@NAME@@", null);
}
=== expr
secretValue("@@NAME@@", "@@KEY@@")
=== expr-plain
secretValue("@@NAME@@", null)
