namespace DistCacheAkka.Messages;

/// <summary>One key and value of a batch write.</summary>
public sealed record KeyValue(string Key, byte[] Value);

/// <summary>Write the entries of one shard (the shard's subset of a batch), all with the same expiry.
/// Replies with an <see cref="ISetManyResponse"/>. Not atomic across shards.</summary>
public sealed record SetMany(
    int ShardId,
    IReadOnlyList<KeyValue> Items,
    CacheExpiry Expiry,
    ConsistencyLevel Consistency = ConsistencyLevel.Eventual) : IWithShardId;

public interface ISetManyResponse : ICacheMessage
{
    int ShardId { get; }
}

public sealed record SetManySuccess(int ShardId, int Count, EntryVersion LastVersion) : ISetManyResponse;

/// <summary>No key of the shard's subset is acknowledged (some may have been applied; nothing is rolled back).</summary>
public sealed record SetManyFailure(int ShardId, IReadOnlyList<string> Keys, CacheError Error) : ISetManyResponse;
