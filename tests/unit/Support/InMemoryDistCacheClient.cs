using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Support;

/// <summary>
/// An <see cref="IDistCacheClient"/> over a dictionary, for the layers above the client: it records every write's
/// stored bytes and expiry (it does not expire anything), and, with <see cref="YieldOnEveryCall"/>, resumes every
/// call through the caller's SynchronizationContext, as careless async code does.
/// </summary>
public sealed class InMemoryDistCacheClient : IDistCacheClient
{
    private readonly Dictionary<string, (byte[] Value, CacheExpiry Expiry)> _entries = new(StringComparer.Ordinal);

    public bool YieldOnEveryCall { get; init; }

    public int Reads { get; private set; }

    public IReadOnlyDictionary<string, (byte[] Value, CacheExpiry Expiry)> Entries
    {
        get
        {
            lock (_entries)
                return new Dictionary<string, (byte[], CacheExpiry)>(_entries);
        }
    }

    public async Task<byte[]?> GetBytesAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        await Yield();
        lock (_entries)
        {
            Reads++;
            return _entries.TryGetValue(Check(key), out var entry) ? entry.Value : null;
        }
    }

    public async Task SetBytesAsync(string key, byte[] value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        await Yield();
        if (RequestValidation.CheckExpiry(expiry) is { } problem)
            throw new ArgumentException(problem, nameof(expiry));
        lock (_entries)
            _entries[Check(key)] = (value, expiry);
    }

    public async Task<bool> RemoveAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default)
    {
        await Yield();
        lock (_entries)
            return _entries.Remove(Check(key));
    }

    public Task<T?> GetAsync<T>(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default) => throw new NotSupportedException();

    public Task SetAsync<T>(string key, T value, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default) => throw new NotSupportedException();

    public Task<IReadOnlyDictionary<string, T>> GetMultipleAsync<T>(IEnumerable<string> keys, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        throw new NotSupportedException();

    public Task SetMultipleAsync<T>(IReadOnlyDictionary<string, T> values, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        throw new NotSupportedException();

    public Task<DistributedCacheStats> GetStatsAsync(CancellationToken ct = default) => throw new NotSupportedException();

    public IAsyncEnumerable<DistributedCacheEvent> SubscribeAsync(CacheEventFilter? filter = null, CancellationToken ct = default) => throw new NotSupportedException();

    public Task SetWithExpiryAsync<T>(string key, T value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        throw new NotSupportedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string Check(string key) =>
        string.IsNullOrEmpty(key) ? throw new ArgumentException("The key is null or empty.", nameof(key)) : key;

    // Without ConfigureAwait(false): the rest of the call runs on the caller's context, if it has one.
    private async Task Yield()
    {
        if (YieldOnEveryCall)
            await Task.Yield();
    }
}
