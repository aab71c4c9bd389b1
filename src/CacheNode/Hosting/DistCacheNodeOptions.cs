using System.Globalization;
using System.Text;
using Akka.Configuration;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>
/// How <see cref="DistCacheNodeHostingExtensions.WithDistCacheNode"/> configures an embedded data node. Every property
/// is optional: null means "whatever the ActorSystem's HOCON says" (the application's <c>distcache.*</c> keys), and
/// where that is silent too, <c>hocon/reference.conf</c>, the only home of the defaults. A property that is set is
/// rendered to HOCON in front of the application's (code beats configuration files, as with Akka.Hosting's own options).
/// Every member of the cluster must agree on <see cref="Shards"/>, <see cref="HashAlgorithm"/>,
/// <see cref="VirtualNodes"/> and <see cref="ReplicationFactor"/>, and so must the clients on the first two.
/// </summary>
public sealed record DistCacheNodeOptions
{
    /// <summary>Cluster role of data nodes (<c>distcache.data-role</c>): the shard region and the split brain
    /// resolver's majority count only members with it. WithDistCacheNode adds it to the member's roles.</summary>
    public string? DataRole { get; init; }

    /// <summary>Replicas per shard, primary included (<c>distcache.replication-factor</c>, 1..16).</summary>
    public int? ReplicationFactor { get; init; }

    /// <summary>Virtual nodes per member on the placement ring (<c>distcache.virtual-nodes</c>, 1..4096).</summary>
    public int? VirtualNodes { get; init; }

    /// <summary>Number of shards (<c>distcache.shards</c>, 1..65536). Fixed for the cluster's life; clients must agree.</summary>
    public int? Shards { get; init; }

    /// <summary>Key hash, "xxhash64" or "sha256" (<c>distcache.hash-algorithm</c>). Fixed for the cluster's life; clients must agree.</summary>
    public string? HashAlgorithm { get; init; }

    /// <summary>Consistency of requests that do not name one (<c>distcache.default-consistency</c>).</summary>
    public ConsistencyLevel? DefaultConsistency { get; init; }

    /// <summary>The node's byte budget for everything it holds for the cache (<c>distcache.memory.limit</c>; at least
    /// 1 MiB). An embedded node shares its process with the application: prefer a fixed limit to the derived default
    /// (half of the memory the runtime may use).</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>The node starts every shard once at least this many data nodes are Up
    /// (<c>distcache.node.warm-up-min-data-nodes</c>, at least 1).</summary>
    public int? WarmUpMinDataNodes { get; init; }

    /// <summary>...and once the membership has not changed for this long (<c>distcache.node.warm-up-after-stable</c>).</summary>
    public TimeSpan? WarmUpAfterStable { get; init; }

    /// <summary>The set properties as HOCON (empty when none is set).</summary>
    public string ToHocon()
    {
        var sb = new StringBuilder();
        void Line(string key, string? value)
        {
            if (value is not null)
                sb.Append(key).Append(" = ").Append(value).Append('\n');
        }

        Line("distcache.data-role", Quoted(DataRole));
        Line("distcache.replication-factor", ReplicationFactor?.ToString(CultureInfo.InvariantCulture));
        Line("distcache.virtual-nodes", VirtualNodes?.ToString(CultureInfo.InvariantCulture));
        Line("distcache.shards", Shards?.ToString(CultureInfo.InvariantCulture));
        Line("distcache.hash-algorithm", Quoted(HashAlgorithm));
        Line("distcache.default-consistency", DefaultConsistency?.ToString().ToLowerInvariant());
        Line("distcache.memory.limit", MemoryLimitBytes?.ToString(CultureInfo.InvariantCulture));
        Line("distcache.node.warm-up-min-data-nodes", WarmUpMinDataNodes?.ToString(CultureInfo.InvariantCulture));
        Line("distcache.node.warm-up-after-stable", WarmUpAfterStable is { } stable
            ? ((long)stable.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms"
            : null);
        return sb.ToString();
    }

    /// <summary>
    /// Checks the set properties with the same rules the node applies to its HOCON at startup, so a bad value fails
    /// where the application builds its host. The message names the property's HOCON key, the value and the rule.
    /// </summary>
    /// <exception cref="DistCacheConfigurationException">A property is out of range or malformed.</exception>
    public void Validate()
    {
        if (DataRole is not null && (DataRole.Trim().Length == 0 || DataRole.Any(c => c is '"' or '\\' || char.IsControl(c))))
            throw new DistCacheConfigurationException(
                $"DistCacheNodeOptions.DataRole (`distcache.data-role`) is \"{DataRole}\"; it must be a non-empty role name without quotes or backslashes.");
        if (HashAlgorithm is not null && HashAlgorithm.Any(c => c is '"' or '\\' || char.IsControl(c)))
            throw new DistCacheConfigurationException(
                $"DistCacheNodeOptions.HashAlgorithm (`distcache.hash-algorithm`) is \"{HashAlgorithm}\"; it must be \"xxhash64\" or \"sha256\".");
        if (WarmUpAfterStable is { } stable && stable < TimeSpan.Zero)
            throw new DistCacheConfigurationException(
                $"DistCacheNodeOptions.WarmUpAfterStable (`distcache.node.warm-up-after-stable`) is {stable}; it must be zero or positive.");
        if (WarmUpMinDataNodes is < 1)
            throw new DistCacheConfigurationException(
                $"DistCacheNodeOptions.WarmUpMinDataNodes (`distcache.node.warm-up-min-data-nodes`) is {WarmUpMinDataNodes}; it must be at least 1.");

        var config = ConfigurationFactory.ParseString(ToHocon());
        try
        {
            DistCacheSettings.Create(config);
            MemorySettings.Create(config);
        }
        catch (DistCacheConfigurationException e)
        {
            throw new DistCacheConfigurationException($"DistCacheNodeOptions: {e.Message}");
        }
    }

    private static string? Quoted(string? value) => value is null ? null : $"\"{value}\"";
}
