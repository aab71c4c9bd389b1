using System.Collections.Concurrent;
using DistCacheAkka.CacheNode.Storage;

namespace DistCacheAkka.CacheNode.Stats;

/// <summary>The counters of every shard this node currently hosts as primary, keyed by shard id.</summary>
internal sealed class NodeMetrics
{
    private readonly ConcurrentDictionary<int, ShardCounters> _primaries = new();
    private readonly object _retiredGate = new();
    private ActivityTotals _retired;

    public void Register(int shard, ShardCounters counters) => _primaries[shard] = counters;

    /// <summary>Drops a primary that stopped (its actor's last word: the counters no longer change) and keeps its
    /// activity in the node's lifetime totals, so <see cref="LifetimeTotals"/> never goes back when a shard moves.</summary>
    public void Unregister(int shard, ShardCounters counters)
    {
        lock (_retiredGate)
        {
            if (_primaries.TryRemove(new KeyValuePair<int, ShardCounters>(shard, counters)))
                _retired += ActivityTotals.Of(counters);
        }
    }

    /// <summary>What this node's primaries did since it started, including shards that have moved away since:
    /// monotonic (for counters), unlike the sums over the current primaries that <c>CacheStats</c> reports.</summary>
    public ActivityTotals LifetimeTotals()
    {
        lock (_retiredGate)
        {
            var totals = _retired;
            foreach (var c in _primaries.Values)
                totals += ActivityTotals.Of(c);
            return totals;
        }
    }

    private readonly ConcurrentDictionary<int, ShardCounters> _backups = new();

    public void RegisterBackup(int shard, ShardCounters counters) => _backups[shard] = counters;

    public void UnregisterBackup(int shard, ShardCounters counters) =>
        _backups.TryRemove(new KeyValuePair<int, ShardCounters>(shard, counters));

    public IReadOnlyCollection<ShardCounters> Backups => (IReadOnlyCollection<ShardCounters>)_backups.Values;

    /// <summary>Writes waiting in EntryActors' asynchronous (Eventual) replication buffers.</summary>
    public long ReplicationQueue;

    /// <summary>Replica batches this node sent to other nodes' replicators, and the replication messages they carried
    /// (their ratio is the batching the replication links achieve).</summary>
    public long ReplicaBatchesSent;

    public long ReplicaMessagesBatched;

    public int ShardsOwned => _primaries.Count;

    /// <summary>The counters of <paramref name="shard"/> when this node hosts it as primary and it has recovered.</summary>
    public bool TryGetPrimary(int shard, out ShardCounters counters) => _primaries.TryGetValue(shard, out counters!);

    public IReadOnlyCollection<ShardCounters> Primaries => (IReadOnlyCollection<ShardCounters>)_primaries.Values;
}

/// <summary>Monotonic activity counts of one or more shards' primaries.</summary>
internal readonly record struct ActivityTotals(long Hits, long Misses, long Sets, long Removes, long Expirations, long Evictions)
{
    public static ActivityTotals Of(ShardCounters c) =>
        new(Volatile.Read(ref c.Hits), Volatile.Read(ref c.Misses), Volatile.Read(ref c.Sets), Volatile.Read(ref c.Removes),
            Volatile.Read(ref c.Expirations), Volatile.Read(ref c.Evictions));

    public static ActivityTotals operator +(ActivityTotals a, ActivityTotals b) =>
        new(a.Hits + b.Hits, a.Misses + b.Misses, a.Sets + b.Sets, a.Removes + b.Removes, a.Expirations + b.Expirations, a.Evictions + b.Evictions);
}
