namespace DistCacheAkka.Messages;

/// <summary>
/// Marker for every message of the DistCacheAkka wire protocol. It is bound to
/// CacheProtocolSerializer (manifest per record); nothing of the protocol falls back to JSON.
/// </summary>
public interface ICacheMessage;

/// <summary>A command about one key; the consistent-hash extractor routes it by <see cref="Key"/>.</summary>
public interface IWithCacheKey : ICacheMessage
{
    string Key { get; }
}

/// <summary>A command already addressed to one shard (the shard's subset of a batch).</summary>
public interface IWithShardId : ICacheMessage
{
    int ShardId { get; }
}
