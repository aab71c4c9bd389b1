namespace DistCacheAkka.Messages;

/// <summary>Read one key. Replies with an <see cref="IGetResponse"/>.</summary>
public sealed record Get(string Key, ConsistencyLevel Consistency = ConsistencyLevel.Eventual) : IWithCacheKey;

public interface IGetResponse : ICacheMessage
{
    string Key { get; }
}

/// <summary>The key's value. <see cref="Value"/> compares by reference; compare its contents.</summary>
public sealed record GetSuccess(string Key, byte[] Value, EntryVersion Version) : IGetResponse;

/// <summary>The key has no live value (never set, removed or expired).</summary>
public sealed record NotFound(string Key) : IGetResponse;

public sealed record GetFailure(string Key, CacheError Error) : IGetResponse;
