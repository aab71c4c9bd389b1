using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>
/// The Akka settings a data node needs (hocon/node.conf: frame size, split brain resolver, sharding timings), merged
/// into an application's configuration so that the application's own values win. A key of node.conf is applied unless
/// the application's configuration already sets it to something other than Akka's default (Akka.Hosting's
/// <c>WithClustering</c> copies the sharding, singleton, pub-sub and ddata defaults into the configuration, so "equal to
/// the library default" is what "not set by the application" looks like). A key set explicitly to the library default
/// value is therefore overridden by node.conf: set it to another value, or add it after WithDistCacheNode.
/// The process-wide choices of node.conf (log levels, the actor provider) are never applied to an application.
/// </summary>
internal static class NodeDefaults
{
    private static readonly HashSet<string> ProcessOnly = ["akka.loglevel", "akka.stdout-loglevel", "akka.actor.provider"];

    private const string KeepMajorityRole = "akka.cluster.split-brain-resolver.keep-majority.role";

    private static readonly Lazy<Config> LibraryDefaults = new(() => ClusterSharding.DefaultConfig()
        .WithFallback(ClusterSingleton.DefaultConfig())
        .WithFallback(DistributedPubSub.DefaultConfig())
        .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig()));

    /// <summary>
    /// The node.conf keys to put in front of <paramref name="current"/> (the application's configuration so far), as a
    /// Config; the split brain resolver's majority counts members with <paramref name="dataRole"/>.
    /// </summary>
    public static Config For(Config current, string dataRole)
    {
        var node = NodeConfig.Embedded("node.conf");
        var applied = new List<string>();
        foreach (var (path, value) in Leaves(node.Root, ""))
        {
            if (ProcessOnly.Contains(path) || IsSetByApplication(current, path))
                continue;
            var text = path == KeepMajorityRole ? dataRole : value;
            applied.Add($"{path} = \"{text.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"");
        }

        return ConfigurationFactory.ParseString(string.Join("\n", applied));
    }

    /// <summary>Whether <paramref name="path"/> has a value in <paramref name="current"/> that is not the library default.</summary>
    public static bool IsSetByApplication(Config current, string path)
    {
        if (current.IsEmpty || !current.HasPath(path))
            return false;
        var defaults = LibraryDefaults.Value;
        return !defaults.HasPath(path) || defaults.GetString(path) != current.GetString(path);
    }

    private static IEnumerable<(string Path, string Value)> Leaves(HoconValue value, string prefix)
    {
        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
            {
                foreach (var leaf in Leaves(child, prefix.Length == 0 ? key : $"{prefix}.{key}"))
                    yield return leaf;
            }

            yield break;
        }

        yield return (prefix, value.GetString());
    }
}
