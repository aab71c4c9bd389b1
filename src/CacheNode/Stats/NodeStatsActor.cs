using Akka.Actor;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Stats;

/// <summary>Answers <see cref="GetCacheStats"/> with this node's totals (at /user/distcache-stats).</summary>
internal sealed class NodeStatsActor : ReceiveActor
{
    public NodeStatsActor(NodeMetrics metrics, MemoryBudget budget)
    {
        var node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        Receive<GetCacheStats>(_ => Sender.Tell(Snapshot(node, metrics, budget)));
    }

    public static Props Props(NodeMetrics metrics, MemoryBudget budget) => Akka.Actor.Props.Create(() => new NodeStatsActor(metrics, budget));

    internal static CacheStats Snapshot(string node, NodeMetrics metrics, MemoryBudget budget)
    {
        long entries = 0, bytes = 0, hits = 0, misses = 0, sets = 0, removes = 0, expirations = 0, evictions = 0;
        foreach (var c in metrics.Primaries)
        {
            entries += c.Entries;
            bytes += c.Bytes;
            hits += c.Hits;
            misses += c.Misses;
            sets += c.Sets;
            removes += c.Removes;
            expirations += c.Expirations;
            evictions += c.Evictions;
        }

        long backupEntries = 0;
        foreach (var c in metrics.Backups)
            backupEntries += c.Entries;

        return new CacheStats(node, entries, backupEntries, bytes, hits, misses, hits + misses, sets, removes,
            expirations, evictions, metrics.ShardsOwned, Interlocked.Read(ref metrics.ReplicationQueue),
            budget.UsedBytes, budget.LimitBytes);
    }
}
