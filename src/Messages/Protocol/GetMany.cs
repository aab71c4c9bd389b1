namespace DistCacheAkka.Messages;

/// <summary>One found entry of a batch read.</summary>
public sealed record CacheItem(string Key, byte[] Value, EntryVersion Version);

/// <summary>Read the keys of one shard (the shard's subset of a batch). Replies with an <see cref="IGetManyResponse"/>.</summary>
public sealed record GetMany(int ShardId, IReadOnlyList<string> Keys, ConsistencyLevel Consistency = ConsistencyLevel.Eventual)
    : IWithShardId;

public interface IGetManyResponse : ICacheMessage
{
    int ShardId { get; }
}

/// <summary>Every requested key is either in <see cref="Found"/> or in <see cref="Missing"/>.</summary>
public sealed record GetManySuccess(int ShardId, IReadOnlyList<CacheItem> Found, IReadOnlyList<string> Missing)
    : IGetManyResponse;

public sealed record GetManyFailure(int ShardId, IReadOnlyList<string> Keys, CacheError Error) : IGetManyResponse;
