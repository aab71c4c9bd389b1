namespace DistCacheAkka.CacheNode.Memory;

/// <summary>
/// A data node's memory budget: the bytes every <see cref="Storage.ShardStore"/> of the node (primaries and backups)
/// accounts for, against one limit. Stores add and subtract their own deltas (one interlocked add per change), so
/// <see cref="UsedBytes"/> is always the node's total without summing shards.
/// What is NOT counted: messages in flight, the replication outbox, Akka and remoting buffers — that is what the
/// rest of the runtime's memory (1 − limit-fraction) is for.
/// </summary>
internal sealed class MemoryBudget(long limitBytes, EvictionPolicy policy, int samples, TimeSpan evictionTombstoneGrace)
{
    private long _used;
    private long _refusedWrites;

    /// <summary>A budget that never fills (tests and tools that do not exercise memory).</summary>
    public static MemoryBudget Unlimited() => new(long.MaxValue, EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(5));

    public static MemoryBudget From(MemorySettings settings, long totalAvailableBytes) =>
        new(settings.EffectiveLimitBytes(totalAvailableBytes), settings.Policy, settings.EvictionSamples, settings.EvictionTombstoneGrace);

    public long LimitBytes { get; } = limitBytes;

    public EvictionPolicy Policy { get; } = policy;

    /// <summary>Entries sampled per eviction round (Redis's maxmemory-samples).</summary>
    public int Samples { get; } = samples;

    /// <summary>How long an eviction's tombstone is kept (it stops late replication from bringing the key back).</summary>
    public TimeSpan EvictionTombstoneGrace { get; } = evictionTombstoneGrace;

    public long UsedBytes => Volatile.Read(ref _used);

    /// <summary>Writes refused because the budget was full (noeviction, or volatile-ttl with nothing to evict).</summary>
    public long RefusedWrites => Volatile.Read(ref _refusedWrites);

    /// <summary>How many bytes must be freed before <paramref name="incomingBytes"/> more fit; 0 or less: they fit.</summary>
    public long Shortfall(long incomingBytes) => UsedBytes + incomingBytes - LimitBytes;

    public bool IsOver => UsedBytes > LimitBytes;

    /// <summary>
    /// Over by more than 2% of the limit: more than a node's own evictions leave it (a full node hovers within a write
    /// or two of its limit). Only then does it ask other primaries to evict for its backup copies; asking whenever it
    /// is over at all would make every primary evict twice what it writes forever, draining shards far below the
    /// budget (hot keys included: measured in MemoryBudgetProcessSpecs before this margin existed).
    /// </summary>
    public bool IsFarOver => UsedBytes > LimitBytes + (LimitBytes / 50);

    public void Add(long deltaBytes) => Interlocked.Add(ref _used, deltaBytes);

    public void CountRefusal() => Interlocked.Increment(ref _refusedWrites);
}
