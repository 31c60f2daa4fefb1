# C#: the caching client (AWSSDK.SecretsManager.Caching), one static cache per process.
=== meta
caching: yes
install: dotnet add package AWSSDK.SecretsManager.Caching
patch: none
=== setup
static class Secrets
{
    // One client and cache for the process (it refreshes values after rotation).
    static readonly Amazon.SecretsManager.Extensions.Caching.SecretsManagerCache Cache = new();

    public static async System.Threading.Tasks.Task<string> Value(string name, string? key = null)
    {
        var value = await Cache.GetSecretString(name);
        return key is null ? value : System.Text.Json.JsonDocument.Parse(value).RootElement.GetProperty(key).GetString()!;
    }
}
=== read
// @@AT@@: await Secrets.Value("@@NAME@@", "@@KEY@@")
=== read-plain
// @@AT@@: await Secrets.Value("@@NAME@@")
