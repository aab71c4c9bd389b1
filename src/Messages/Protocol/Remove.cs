namespace DistCacheAkka.Messages;

/// <summary>Remove one key; leaves a versioned tombstone. Replies with an <see cref="IRemoveResponse"/>.</summary>
public sealed record Remove(string Key, ConsistencyLevel Consistency = ConsistencyLevel.Eventual) : IWithCacheKey;

public interface IRemoveResponse : ICacheMessage
{
    string Key { get; }
}

/// <summary><see cref="Existed"/> is false when there was no live value to remove.</summary>
public sealed record RemoveSuccess(string Key, bool Existed, EntryVersion Version) : IRemoveResponse;

public sealed record RemoveFailure(string Key, CacheError Error) : IRemoveResponse;
