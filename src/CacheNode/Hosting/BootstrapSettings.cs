using Akka.Configuration;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>How a node finds its peers when it bootstraps the cluster without static seeds.</summary>
internal enum BootstrapMethod
{
    /// <summary>A fixed list of contact points in configuration (local runs, compose files).</summary>
    Config,

    /// <summary>The pods labelled <c>app=&lt;service-name&gt;</c>, asked of the Kubernetes API.</summary>
    KubernetesApi,
}

/// <summary>The <c>distcache.bootstrap</c> section, validated once at startup; null on a node that joins static seeds.</summary>
internal sealed record BootstrapSettings(
    BootstrapMethod Method,
    IReadOnlyList<(string Host, int Port)> ContactPoints,
    int Port,
    string BindHost,
    string ServiceName,
    string PortName,
    int RequiredContactPoints,
    TimeSpan StableMargin,
    bool NewClusterEnabled)
{
    /// <summary>
    /// The section when <c>distcache.bootstrap.enabled</c>, else null. <paramref name="c"/> is the <c>distcache</c>
    /// config (reference defaults included); <paramref name="seeds"/> how many static seeds are configured.
    /// </summary>
    /// <exception cref="DistCacheConfigurationException">A value breaks a rule; the message names the setting.</exception>
    public static BootstrapSettings? Create(Config c, int seeds)
    {
        if (!c.GetBoolean("bootstrap.enabled", false))
            return null;
        if (seeds > 0)
            throw new DistCacheConfigurationException(
                $"`distcache.node.seeds` lists {seeds} seed(s) and `distcache.bootstrap.enabled` is on; a node either joins static " +
                "seeds or bootstraps through discovery: drop --seed (or the seeds), or turn bootstrap off.");

        var methodName = c.GetString("bootstrap.method")?.Trim().ToLowerInvariant();
        var method = methodName switch
        {
            "config" => BootstrapMethod.Config,
            "kubernetes-api" => BootstrapMethod.KubernetesApi,
            _ => throw new DistCacheConfigurationException(
                $"`distcache.bootstrap.method` is \"{methodName}\"; it must be \"config\" or \"kubernetes-api\"."),
        };

        var contacts = c.GetStringList("bootstrap.contact-points")
            .Select(s => NodeSettings.ParseEndpoint("distcache.bootstrap.contact-points", s, "a contact point")).ToList();
        var required = c.GetInt("bootstrap.required-contact-points", 2);
        if (required is < 1 or > 1000)
            throw new DistCacheConfigurationException(
                $"`distcache.bootstrap.required-contact-points` is {required}; it must be between 1 and 1000.");
        if (method == BootstrapMethod.Config && contacts.Count == 0)
            throw new DistCacheConfigurationException(
                "`distcache.bootstrap.contact-points` is empty; the config method needs the bootstrap endpoint of every node " +
                "as host:port (--contact HOST:PORT, repeated).");
        if (method == BootstrapMethod.Config && required > contacts.Count)
            throw new DistCacheConfigurationException(
                $"`distcache.bootstrap.required-contact-points` is {required} but `distcache.bootstrap.contact-points` lists only " +
                $"{contacts.Count}; it must be at most the number of contact points, or the cluster never forms.");
        if (method == BootstrapMethod.KubernetesApi && contacts.Count > 0)
            throw new DistCacheConfigurationException(
                $"`distcache.bootstrap.contact-points` lists {contacts.Count} contact point(s) with `distcache.bootstrap.method` " +
                "\"kubernetes-api\"; contact points are for the config method only (Kubernetes finds the pods itself).");

        var rawPort = c.GetString("bootstrap.port");
        if (!int.TryParse(rawPort, out var port) || port is < 1 or > 65535)
            throw new DistCacheConfigurationException(
                $"`distcache.bootstrap.port` is \"{rawPort}\"; it must be a port between 1 and 65535 (other nodes must know it, so not 0).");

        var serviceName = c.GetString("bootstrap.service-name")?.Trim() ?? "";
        if (serviceName.Length == 0 || !serviceName.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' or '_'))
            throw new DistCacheConfigurationException(
                $"`distcache.bootstrap.service-name` is \"{serviceName}\"; it must be a non-empty name of letters, digits, '-', '.' or '_'.");

        var margin = c.GetTimeSpan("bootstrap.stable-margin", TimeSpan.FromSeconds(5));
        if (margin <= TimeSpan.Zero)
            throw new DistCacheConfigurationException(
                $"`distcache.bootstrap.stable-margin` is {margin}; it must be longer than 0s.");

        return new BootstrapSettings(
            method,
            contacts,
            port,
            c.GetString("bootstrap.bind-host")?.Trim() ?? "",
            serviceName,
            c.GetString("bootstrap.port-name")?.Trim() ?? "",
            required,
            margin,
            c.GetBoolean("bootstrap.new-cluster-enabled", true));
    }
}
