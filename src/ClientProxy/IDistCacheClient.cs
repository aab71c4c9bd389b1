using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy;

/// <summary>
/// The typed, Task-based client of a DistCacheAkka cluster. Thread-safe; create one per application with
/// <see cref="DistCacheClient.ConnectAsync"/> and dispose it on shutdown (the client leaves the cluster).
/// Every method validates its input before sending anything and throws <see cref="ArgumentException"/> naming the
/// problem: null or empty key, key longer than distcache.limits.max-key-bytes, value larger than
/// distcache.limits.max-value-bytes, non-positive TTL, undefined consistency level.
/// </summary>
public interface IDistCacheClient : IAsyncDisposable
{
    /// <summary>
    /// Reads a key. Returns the value, or <c>default</c> when the key is missing, removed or expired. While the
    /// shard's primary is unreachable but not yet downed, Eventual and Quorum reads are answered from its backups
    /// (Strong reads need every replica: they wait for the primary and fail while any replica is unreachable).
    /// </summary>
    /// <exception cref="DistCacheTimeoutException">No answer within the request timeout (names the key and shard).</exception>
    /// <exception cref="ConsistencyNotMetException">Too few replicas answered a Quorum or Strong read in time,
    /// or (Strong) a replica of the key's shard is unreachable; the message names it.</exception>
    /// <exception cref="DistCacheException">The node refused the request: WrongShard (client and cluster settings
    /// differ), or Unavailable (<see cref="DistCacheException.IsRetriable"/>: the shard is still recovering after a
    /// failover or rebalance; retry).</exception>
    Task<T?> GetAsync<T>(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default);

    /// <summary>
    /// Writes a key. With <paramref name="ttl"/> the entry expires that long after this write (absolute); without,
    /// it lives until removed. Idempotent in effect: repeating a write stores the same value with a newer version.
    /// </summary>
    /// <exception cref="ConsistencyNotMetException">Fewer replicas than the level requires acknowledged in time; not rolled back.</exception>
    /// <exception cref="DistCacheTimeoutException">No answer within the request timeout; the write may or may not be applied.</exception>
    /// <exception cref="DistCacheException">Unavailable (retriable): the shard is still recovering; the write was not applied.</exception>
    Task SetAsync<T>(string key, T value, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default);

    /// <summary>Removes a key (leaving a tombstone that stops late replicas from resurrecting it).
    /// Returns true if a live value was removed, false if there was none.</summary>
    Task<bool> RemoveAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default);

    /// <summary>
    /// Reads many keys: split by shard, sent in parallel, merged. The result holds the keys that have values;
    /// missing keys are absent. Duplicate keys are read once.
    /// </summary>
    /// <exception cref="DistCacheBatchException">Some shards failed or timed out: lists each failed key; the keys
    /// that were read are in <see cref="DistCacheBatchException.PartialResults"/>.</exception>
    Task<IReadOnlyDictionary<string, T>> GetMultipleAsync<T>(IEnumerable<string> keys, ConsistencyLevel? consistency = null, CancellationToken ct = default);

    /// <summary>
    /// Writes many keys, split by shard (and by size), sent in parallel. Not atomic: each shard's subset is applied
    /// on its own.
    /// </summary>
    /// <exception cref="DistCacheBatchException">Some keys failed: lists each failed key and the keys that succeeded.</exception>
    Task SetMultipleAsync<T>(IReadOnlyDictionary<string, T> values, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default);

    /// <summary>Cluster totals and per-node figures; nodes that did not answer within the request timeout are listed separately.</summary>
    Task<DistributedCacheStats> GetStatsAsync(CancellationToken ct = default);

    /// <summary>
    /// Streams cluster events matching <paramref name="filter"/> (null: every kind) until <paramref name="ct"/> is
    /// cancelled. Delivery is at most once: events published before the subscription reached the publishing node
    /// (about a second after the first MoveNextAsync) and events that overflow a slow consumer's buffer (10,000) are lost.
    /// </summary>
    IAsyncEnumerable<DistributedCacheEvent> SubscribeAsync(CacheEventFilter? filter = null, CancellationToken ct = default);

    /// <summary>Reads a key's raw bytes; null when missing. Same errors as <see cref="GetAsync{T}"/>.</summary>
    Task<byte[]?> GetBytesAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default);

    /// <summary>Writes raw bytes with any expiry (none, absolute or sliding). Same errors as <see cref="SetAsync{T}"/>.</summary>
    Task SetBytesAsync(string key, byte[] value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default);

    /// <summary>Writes a typed value with any expiry: <see cref="CacheExpiry.After"/> (absolute) or
    /// <see cref="CacheExpiry.Sliding"/> (expires when not read or written for the window).</summary>
    Task SetWithExpiryAsync<T>(string key, T value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default);
}
