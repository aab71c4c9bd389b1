using Akka.Configuration;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Management;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>
/// The plain objects a data node's actors share with whatever hosts them: counters, the memory budget, which event
/// kinds have subscribers, the node's meter, and the handle the management endpoint reads. The standalone CacheNode
/// creates them before its ActorSystem (its management endpoint and metrics export start first); an embedded node
/// creates them from the ActorSystem's configuration with <see cref="Create"/>.
/// </summary>
internal sealed record DataNodeServices(NodeMetrics Metrics, MemoryBudget Budget, EventInterest Interest, NodeTelemetry Telemetry, NodeHandle Handle)
{
    /// <summary>Services of an embedded node (no management endpoint: its handle only records warm-up and the region).</summary>
    /// <exception cref="DistCacheConfigurationException">A <c>distcache.memory</c> setting is invalid.</exception>
    public static DataNodeServices Create(Config config)
    {
        var memory = MemorySettings.Create(config);
        var budget = MemoryBudget.From(memory, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        var metrics = new NodeMetrics();
        return new DataNodeServices(metrics, budget, new EventInterest(), new NodeTelemetry(metrics, budget),
            new NodeHandle { GcThrashingPauseFraction = memory.GcThrashingPauseFraction });
    }
}

/// <summary>
/// The <c>distcache.node</c> keys the data-node part itself reads (standalone or embedded): how often event interest is
/// refreshed and when the warm-up starts every shard. The standalone process's own keys (role, address, seeds,
/// management) stay in <see cref="NodeSettings"/>.
/// </summary>
/// <summary>The settings only a data node reads. <see cref="BatchPerNode"/> is <c>distcache.replication.batch-per-node</c>.</summary>
internal sealed record DataNodeSettings(TimeSpan EventInterestRefresh, TimeSpan WarmUpAfterStable, int WarmUpMinDataNodes, bool BatchPerNode = true)
{
    /// <exception cref="DistCacheConfigurationException">A value is malformed or out of range.</exception>
    public static DataNodeSettings Create(Config config)
    {
        var c = DistCacheConfig.WithReferenceFallback(config).GetConfig("distcache.node");
        var refresh = Duration(c, "event-interest-refresh");
        if (refresh <= TimeSpan.Zero)
            throw new DistCacheConfigurationException(
                $"`distcache.node.event-interest-refresh` is \"{c.GetString("event-interest-refresh")}\"; it must be a positive duration such as 500ms.");
        var stable = Duration(c, "warm-up-after-stable");
        if (stable < TimeSpan.Zero)
            throw new DistCacheConfigurationException(
                $"`distcache.node.warm-up-after-stable` is \"{c.GetString("warm-up-after-stable")}\"; it must be a duration of 0s or more.");
        var raw = c.GetString("warm-up-min-data-nodes");
        if (!int.TryParse(raw, out var min) || min < 1)
            throw new DistCacheConfigurationException(
                $"`distcache.node.warm-up-min-data-nodes` is \"{raw}\"; it must be an integer of at least 1.");
        return new DataNodeSettings(refresh, stable, min, DistCacheConfig.Switch(config, "distcache.replication.batch-per-node"));
    }

    private static TimeSpan Duration(Config c, string key)
    {
        try
        {
            return c.GetTimeSpan(key, null, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException)
        {
            throw new DistCacheConfigurationException($"`distcache.node.{key}` is \"{c.GetString(key)}\"; it must be a duration such as 500ms or 2s.");
        }
    }
}
