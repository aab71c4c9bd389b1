namespace DistCacheAkka.ClientProxy;

/// <summary>
/// The client's near cache: a bounded in-process copy of recently read values that serves Eventual reads without a
/// round trip, kept coherent by the nodes' invalidation feeds (see the README, "Near cache"). Quorum and Strong reads
/// always go to the cluster.
/// </summary>
public sealed record NearCacheOptions
{
    /// <summary>At most this many entries; beyond it the least recently used (CLOCK approximation) go. Default 10,000.</summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>An entry is dropped this long after it was cached, whatever the feeds say (a safety net and a bound
    /// on staleness for values the cluster expires). Null (the default): only invalidations and the value's own
    /// absolute expiry end it.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>The error in these options, or null when they are valid.</summary>
    internal string? Problem() =>
        MaxEntries <= 0 ? $"NearCache.MaxEntries is {MaxEntries}; it must be at least 1."
        : MaxAge is { } age && age <= TimeSpan.Zero ? $"NearCache.MaxAge is {age}; it must be positive, or null for no limit."
        : null;
}

/// <summary>What the client's near cache did since the client started.</summary>
/// <param name="Hits">Eventual reads answered from the near cache.</param>
/// <param name="Misses">Eventual reads that went to the cluster.</param>
/// <param name="Invalidations">Entries removed because the cluster changed them (another client's write, a removal,
/// an eviction or expiry) or because their shard's stream could no longer be followed (a lost message, a new
/// primary, an unreachable node).</param>
/// <param name="Entries">Entries held now.</param>
public sealed record NearCacheStats(long Hits, long Misses, long Invalidations, int Entries);
