namespace DistCacheAkka.Messages;

/// <summary>Write one key. Replies with an <see cref="ISetResponse"/>. Writing the same value twice is idempotent
/// in effect (the second write only gets a newer version).</summary>
public sealed record Set(
    string Key,
    byte[] Value,
    CacheExpiry Expiry,
    ConsistencyLevel Consistency = ConsistencyLevel.Eventual) : IWithCacheKey;

public interface ISetResponse : ICacheMessage
{
    string Key { get; }
}

public sealed record SetSuccess(string Key, EntryVersion Version) : ISetResponse;

public sealed record SetFailure(string Key, CacheError Error) : ISetResponse;
