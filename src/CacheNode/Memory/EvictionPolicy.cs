namespace DistCacheAkka.CacheNode.Memory;

/// <summary>What a shard's primary does when a write would take its node over the memory budget
/// (<c>distcache.memory.eviction-policy</c>; the names follow Redis's <c>maxmemory-policy</c>).</summary>
internal enum EvictionPolicy
{
    /// <summary>Evict the least recently used live entry, approximated by sampling (Redis's allkeys-lru).</summary>
    Lru,

    /// <summary>Evict the least frequently used live entry: a logarithmic 8-bit counter that decays with idle
    /// minutes, approximated by sampling (Redis's allkeys-lfu).</summary>
    Lfu,

    /// <summary>Evict the live entry with a TTL that expires soonest; entries without a TTL are never evicted, and a
    /// write that needs room when none is evictable is refused as under <see cref="NoEviction"/> (Redis's volatile-ttl).</summary>
    VolatileTtl,

    /// <summary>Never evict: a write that would exceed the budget fails at once with a non-retriable OutOfMemory error.
    /// Reads, removes and stats keep working.</summary>
    NoEviction,
}
