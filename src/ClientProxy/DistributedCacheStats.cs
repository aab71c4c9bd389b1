namespace DistCacheAkka.ClientProxy;

/// <summary>One data node's counters and its share of the cluster's live keys.</summary>
public sealed record NodeCacheStats(
    string Node,
    long PrimaryEntries,
    long BackupEntries,
    long Bytes,
    long Hits,
    long Misses,
    long Gets,
    long Sets,
    long Removes,
    long Expirations,
    long Evictions,
    int ShardsOwned,
    long ReplicationQueue,
    double KeySharePercent)
{
    /// <summary>Bytes the node's memory budget accounts for: its primary and backup entries, tombstones and their
    /// per-entry overhead (distcache.memory).</summary>
    public long MemoryUsedBytes { get; init; }

    /// <summary>The node's memory budget (distcache.memory.limit, or its share of the runtime's memory).</summary>
    public long MemoryLimitBytes { get; init; }
}

/// <summary>
/// Cluster-wide statistics: totals over the nodes that answered, and each node's figures. Nodes that did not answer
/// within the request timeout are listed in <see cref="UnansweredNodes"/> and are not in the totals.
/// </summary>
public sealed record DistributedCacheStats(
    IReadOnlyList<NodeCacheStats> Nodes,
    IReadOnlyList<string> UnansweredNodes,
    long TotalEntries,
    long TotalBackupEntries,
    long TotalBytes,
    long Hits,
    long Misses,
    long Gets,
    long Sets,
    long Removes,
    long Expirations,
    long Evictions,
    int ShardsOwned)
{
    /// <summary>Sum of the answering nodes' <see cref="NodeCacheStats.MemoryUsedBytes"/>.</summary>
    public long TotalMemoryUsedBytes => Nodes.Sum(n => n.MemoryUsedBytes);

    /// <summary>Sum of the answering nodes' <see cref="NodeCacheStats.MemoryLimitBytes"/>.</summary>
    public long TotalMemoryLimitBytes => Nodes.Sum(n => n.MemoryLimitBytes);

    /// <summary>Hits / (hits + misses), or 0 when there were no reads.</summary>
    public double HitRatio => Gets == 0 ? 0 : (double)Hits / Gets;

    /// <summary>This client's near cache: hits, misses, invalidations and entries (null when it is off).</summary>
    public NearCacheStats? NearCache { get; init; }

    /// <summary>The configured replication factor R (distcache.replication-factor, as the client knows it).</summary>
    public int ReplicationFactor { get; init; }

    /// <summary>Copies each shard really has: min(R, data nodes that answered).</summary>
    public int EffectiveReplicationFactor => Math.Min(ReplicationFactor, Nodes.Count);

    /// <summary>False when there are fewer data nodes than R: every data node then holds a copy of every shard,
    /// and a Strong write needs all of them.</summary>
    public bool ReplicationFactorMet => Nodes.Count >= ReplicationFactor;
}
