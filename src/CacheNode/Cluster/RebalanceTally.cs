namespace DistCacheAkka.CacheNode.Cluster;

/// <summary>
/// The shard moves that new primaries reported to this node (<c>ShardMoved</c>, received by the ReplicatorActor),
/// each with the live keys the new primary holds and a sequence number. Every node keeps one, as any data node may
/// host the sharding coordinator; only the coordinator's <see cref="RingAllocationStrategy"/> reads it. Thread-safe:
/// written by an actor, read by the strategy on the coordinator's thread.
/// </summary>
internal sealed class RebalanceTally
{
    private readonly object _gate = new();
    private readonly Dictionary<int, (long Sequence, long Keys)> _reports = new();
    private long _sequence;

    /// <summary>The sequence number of the latest report (0 before any).</summary>
    public long Sequence
    {
        get
        {
            lock (_gate)
                return _sequence;
        }
    }

    public void Report(int shard, long keys)
    {
        lock (_gate)
            _reports[shard] = (++_sequence, keys);
    }

    /// <summary>The keys of the latest report of <paramref name="shard"/> if it came after sequence <paramref name="since"/>.</summary>
    public bool TryGetSince(int shard, long since, out long keys)
    {
        lock (_gate)
        {
            if (_reports.TryGetValue(shard, out var report) && report.Sequence > since)
            {
                keys = report.Keys;
                return true;
            }
        }

        keys = 0;
        return false;
    }
}
