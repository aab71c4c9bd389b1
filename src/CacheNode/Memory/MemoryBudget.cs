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
    private long _primaryBytes;
    private long _primaryShards;

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

    /// <summary>What a node at <paramref name="usedBytes"/> of <paramref name="limitBytes"/> asks of the primaries whose
    /// shards it backs up: nothing while under; to evict what they write (hold their shards' size) while over; to evict
    /// twice what they write (shrink) when more than 2% over — more than a full node's own evictions leave it. Asking
    /// to shrink whenever it is over at all drained every shard far below the budget (hot keys included: measured in
    /// MemoryBudgetProcessSpecs); never asking made the node with the most backup copies drain its own primaries.</summary>
    public static BackupPressure PressureOf(long usedBytes, long limitBytes) =>
        usedBytes <= limitBytes ? BackupPressure.None
        : usedBytes > limitBytes + (limitBytes / 50) ? BackupPressure.Shrink
        : BackupPressure.Hold;

    public BackupPressure Pressure => PressureOf(UsedBytes, LimitBytes);

    public void Add(long deltaBytes) => Interlocked.Add(ref _used, deltaBytes);

    /// <summary>The mean accounted bytes of this node's primary shards (0 with none): evictions are weighted by how a
    /// shard compares to it, so the node's shards shrink toward equal sizes instead of some draining.</summary>
    public double MeanPrimaryShardBytes
    {
        get
        {
            var shards = Interlocked.Read(ref _primaryShards);
            return shards <= 0 ? 0 : Interlocked.Read(ref _primaryBytes) / (double)shards;
        }
    }

    public void AddPrimary(long deltaBytes) => Interlocked.Add(ref _primaryBytes, deltaBytes);

    public void CountPrimaryShard(int delta) => Interlocked.Add(ref _primaryShards, delta);

    public void CountRefusal() => Interlocked.Increment(ref _refusedWrites);
}
