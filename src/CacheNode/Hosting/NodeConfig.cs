using Akka.Configuration;
using DistCacheAkka.Messages.Serialization;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>
/// The layered configuration of a data node, lowest priority first: reference.conf, the protocol serializer's
/// registration (<see cref="CacheProtocolSerializer.Hocon"/>, the one every client layers too), node.conf, the role
/// file (seed.conf or worker.conf), the --config file, DISTCACHE_* environment variables, command-line flags.
/// </summary>
internal static class NodeConfig
{
    public static Config Build(string? configFile, string environmentHocon, string flagsHocon, string? extraHocon = null)
    {
        var top = ConfigurationFactory.ParseString(extraHocon ?? "")
            .WithFallback(ConfigurationFactory.ParseString(flagsHocon))
            .WithFallback(ConfigurationFactory.ParseString(environmentHocon));
        if (configFile is not null)
            top = top.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(configFile)));

        var role = top.WithFallback(DistCacheConfig.Reference).GetString("distcache.node.role")?.Trim().ToLowerInvariant();
        var roleFile = role == "worker" ? "worker.conf" : "seed.conf";
        return top
            .WithFallback(Embedded(roleFile))
            .WithFallback(Embedded("node.conf"))
            .WithFallback(CacheProtocolSerializer.Config)
            .WithFallback(DistCacheConfig.Reference);
    }

    public static Config Embedded(string name)
    {
        using var stream = typeof(NodeConfig).Assembly.GetManifestResourceStream("DistCacheAkka." + name)
            ?? throw new InvalidOperationException($"DistCacheAkka.{name} is not embedded in CacheNode.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
