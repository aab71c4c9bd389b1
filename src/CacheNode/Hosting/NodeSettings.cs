using System.Net;
using Akka.Configuration;
using DistCacheAkka.ClientProxy.Security;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>How this data node runs: the <c>distcache.node</c> and <c>distcache.management</c> sections, validated once.
/// The settings an embedded node shares (event interest, warm-up) are <see cref="DataNodeSettings"/>.</summary>
internal sealed record NodeSettings(
    string Role,
    string Host,
    int Port,
    IReadOnlyList<(string Host, int Port)> Seeds,
    bool ManagementEnabled,
    string ManagementHost,
    int ManagementPort,
    string ManagementToken)
{
    /// <summary>This node's TLS identity when <c>distcache.tls.enabled</c>, else null (plaintext).</summary>
    public TlsMaterial? Tls { get; init; }

    /// <summary>How the node bootstraps the cluster through discovery when <c>distcache.bootstrap.enabled</c>, else null
    /// (it joins <see cref="Seeds"/>, or itself).</summary>
    public BootstrapSettings? Bootstrap { get; init; }

    public static NodeSettings Create(Config config)
    {
        var c = DistCacheConfig.WithReferenceFallback(config).GetConfig("distcache");
        var role = c.GetString("node.role")?.Trim().ToLowerInvariant();
        if (role is not ("seed" or "worker"))
            throw new DistCacheConfigurationException($"`distcache.node.role` is \"{role}\"; it must be \"seed\" or \"worker\".");

        var seeds = c.GetStringList("node.seeds").Select(s => ParseEndpoint("distcache.node.seeds", s)).ToList();
        var bootstrap = BootstrapSettings.Create(c, seeds.Count);
        if (role == "worker" && seeds.Count == 0 && bootstrap is null)
            throw new DistCacheConfigurationException(
                "`distcache.node.seeds` is empty; a worker must name at least one seed (--seed host:port), " +
                "or bootstrap through discovery (--bootstrap config|kubernetes-api).");

        var settings = new NodeSettings(
            role,
            NonEmpty(c, "node.host"),
            PortOf(c, "node.port"),
            seeds,
            c.GetBoolean("management.enabled", true),
            NonEmpty(c, "management.host"),
            PortOf(c, "management.port"),
            c.GetString("management.token")?.Trim() ?? "")
        {
            Tls = TlsMaterial.FromNodeConfig(c),
            Bootstrap = bootstrap,
        };
        if (settings.ManagementEnabled)
            CheckManagementBinding(settings);
        return settings;
    }

    /// <summary>Parses "host:port"; the message names the setting, the value and the rule.</summary>
    public static (string Host, int Port) ParseEndpoint(string what, string? value, string noun = "a seed")
    {
        var text = value?.Trim() ?? "";
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1
            || !int.TryParse(text[(colon + 1)..], out var port) || port is < 1 or > 65535
            || Uri.CheckHostName(text[..colon].Trim('[', ']')) == UriHostNameType.Unknown)
            throw new DistCacheConfigurationException(
                $"`{what}` has \"{value}\"; {noun} must be host:port with a port between 1 and 65535, e.g. 127.0.0.1:4053.");
        return (text[..colon].Trim('[', ']'), port);
    }

    /// <summary>
    /// The management endpoint can change membership and read or write any key, so it binds to a loopback address
    /// unless an access token is configured. The host must be an IP address or "localhost" (no DNS at startup).
    /// </summary>
    private static void CheckManagementBinding(NodeSettings settings)
    {
        var host = settings.ManagementHost;
        if (!host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(host.Trim('[', ']'), out _))
            throw new DistCacheConfigurationException(
                $"`distcache.management.host` is \"{host}\"; it must be an IP address (e.g. 127.0.0.1, 0.0.0.0) or \"localhost\".");
        if (!IsLoopback(host.Trim('[', ']')) && settings.ManagementToken.Length == 0)
            throw new DistCacheConfigurationException(
                $"`distcache.management.host` is \"{host}\", which is not a loopback address, and `distcache.management.token` is empty. " +
                "A management endpoint reachable from other machines must require a token: set distcache.management.token " +
                "(or DISTCACHE_MANAGEMENT__TOKEN), or bind it to 127.0.0.1.");
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    private static int PortOf(Config c, string key)
    {
        var raw = c.GetString(key);
        if (!int.TryParse(raw, out var port) || port is < 0 or > 65535)
            throw new DistCacheConfigurationException($"`distcache.{key}` is \"{raw}\"; it must be a port between 0 and 65535.");
        return port;
    }

    private static string NonEmpty(Config c, string key)
    {
        var value = c.GetString(key);
        if (string.IsNullOrWhiteSpace(value))
            throw new DistCacheConfigurationException($"`distcache.{key}` is empty; it must name a host or address.");
        return value.Trim();
    }
}
