namespace DistCacheAkka.Messages;

/// <summary>Why an operation failed. Wire values are append-only: never renumber.</summary>
public enum CacheErrorCode : byte
{
    Unknown = 0,

    /// <summary>The request itself is invalid (empty key, key or value too large, bad TTL, ...). Not retriable.</summary>
    InvalidRequest = 1,

    /// <summary>The key does not belong to the shard that received it: client and cluster disagree on routing
    /// settings (shard count or hash algorithm). Not retriable until the configuration is fixed.</summary>
    WrongShard = 2,

    /// <summary>The write was applied by fewer replicas than its consistency level requires within its timeout.
    /// It is not rolled back.</summary>
    ConsistencyNotMet = 3,

    /// <summary>The shard could not answer in time (recovering, overloaded). Retriable.</summary>
    Unavailable = 4,

    /// <summary>The write would take a data node over its memory budget and its eviction policy does not evict
    /// (noeviction, or volatile-ttl with no entry with a TTL left); the message names the limit and the usage. Not
    /// retriable as such: remove keys, set TTLs, add nodes or raise distcache.memory.limit. Reads, removes and stats
    /// keep working.</summary>
    OutOfMemory = 5,
}

/// <summary>
/// A failure reply's payload: a code, a message for people, and for <see cref="CacheErrorCode.ConsistencyNotMet"/>
/// the replica acknowledgements received and required and the timeout that ran out.
/// </summary>
public sealed record CacheError(
    CacheErrorCode Code,
    string Message,
    int AcksReceived = 0,
    int AcksRequired = 0,
    TimeSpan Timeout = default)
{
    public static CacheError Invalid(string message) => new(CacheErrorCode.InvalidRequest, message);

    public override string ToString() => $"{Code}: {Message}";
}
