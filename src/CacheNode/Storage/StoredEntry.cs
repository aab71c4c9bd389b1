using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Storage;

/// <summary>
/// One key's state in a shard: a live value or a tombstone. Times are UTC ticks; 0 means "never".
/// Mutable and owned by exactly one <see cref="ShardStore"/> (single-threaded by its actor).
/// </summary>
internal sealed class StoredEntry
{
    public required string Key { get; init; }
    public byte[] Value { get; set; } = [];
    public EntryVersion Version { get; set; }
    public ExpiryKind ExpiryKind { get; set; }

    /// <summary>For sliding expiry: the window, in ticks.</summary>
    public long SlidingTicks { get; set; }

    /// <summary>When a live value expires, or when a tombstone may be purged. 0 = never.</summary>
    public long DeadlineTicks { get; set; }

    public bool IsTombstone { get; set; }

    /// <summary>Position in the shard's list of entries with a deadline (for sampled sweeps); -1 if none.</summary>
    public int DeadlineSlot { get; set; } = -1;

    /// <summary>Position in the shard's list of live values (for sampled eviction); -1 for a tombstone.</summary>
    public int LiveSlot { get; set; } = -1;

    /// <summary>The shard's access clock at the last read or write (LRU).</summary>
    public long LastAccess { get; set; }

    /// <summary>Logarithmic access counter (LFU), and the minute it was last decayed at (16 bits, wrapping).</summary>
    public byte Frequency { get; set; }

    public ushort FrequencyMinute { get; set; }

    /// <summary>Payload bytes: key as UTF-16 plus value (what the stats have always called bytes).</summary>
    public long SizeBytes => IsTombstone ? 0 : Value.Length + (Key.Length * 2L);
}
