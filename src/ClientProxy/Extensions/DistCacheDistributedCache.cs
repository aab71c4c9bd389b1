using System.Buffers;
using DistCacheAkka.Messages;
using Microsoft.Extensions.Caching.Distributed;

namespace DistCacheAkka.ClientProxy.Extensions;

/// <summary>
/// <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/> over a DistCacheAkka cluster, through an
/// <see cref="IDistCacheClient"/>'s byte API at the client's default consistency
/// (<see cref="DistCacheClientOptions.DefaultConsistency"/>, Quorum unless configured).
/// <para>
/// Expiry follows <see cref="DistributedCacheEntryOptions"/> exactly: an absolute expiry (a date, or relative to now;
/// with both, the earlier wins) and a sliding window, the window capped by the absolute deadline (the entry dies then
/// even if it was read within the window). The node enforces absolute and sliding expiry; a sliding entry with an
/// absolute cap is stored with a 16-byte trailer holding the cap, which every read checks (<see cref="ValueFrame"/>).
/// The cap is a point in time written by one application and checked against the reader's clock: clocks of the
/// applications must agree to within the precision they need. <see cref="Refresh"/> is a read whose value is
/// discarded: it resets the sliding window on the shard's primary as any read does.
/// </para>
/// <para>Not guaranteed: an entry read past its cap is reported missing but left on the node until its sliding
/// window lapses (removing it could race a concurrent write of a new value); while a shard's primary is unreachable,
/// reads answered by its backups do not slide the window.</para>
/// </summary>
public sealed class DistCacheDistributedCache : IBufferDistributedCache
{
    private readonly IDistCacheClient _client;
    private readonly int _maxValueBytes;
    private readonly TimeProvider _time;

    /// <summary>Wraps <paramref name="client"/>; <paramref name="options"/> are the options it was connected with
    /// (their <see cref="DistCacheClientOptions.ClusterSettings"/> give the value size limit).</summary>
    public DistCacheDistributedCache(IDistCacheClient client, DistCacheClientOptions options)
        : this(client, options, TimeProvider.System)
    {
    }

    internal DistCacheDistributedCache(IDistCacheClient client, DistCacheClientOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _maxValueBytes = options.ClusterSettings.MaxValueBytes;
        _time = time;
    }

    /// <summary>The value of <paramref name="key"/>, or null when it is missing, removed or expired; resets a sliding window.</summary>
    /// <exception cref="ArgumentException">The key is null, empty or too long.</exception>
    /// <exception cref="DistCacheTimeoutException">The cluster did not answer within the request timeout.</exception>
    /// <exception cref="DistCacheException">The cluster refused the read (see <see cref="IDistCacheClient.GetAsync{T}"/>).</exception>
    public byte[]? Get(string key) => RunSync(() => GetAsync(key));

    /// <inheritdoc cref="Get"/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var payload = await ReadAsync(key, token).ConfigureAwait(false);
        return payload is { } p ? p.ToArray() : null;
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> with the expiry of <paramref name="options"/>
    /// (none when it sets nothing).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An absolute expiry in the past, a relative or sliding expiry that is
    /// not positive, or one beyond 3650 days (the parameter name says which option).</exception>
    /// <exception cref="ArgumentException">The key is invalid, or the value is larger than distcache.limits.max-value-bytes
    /// (16 bytes less for a sliding entry capped by an absolute expiry).</exception>
    /// <exception cref="DistCacheTimeoutException">No answer within the request timeout; the write may or may not be applied.</exception>
    /// <exception cref="DistCacheException">The write failed, e.g. <see cref="ConsistencyNotMetException"/> (see <see cref="IDistCacheClient.SetAsync{T}"/>).</exception>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => RunSync(() => SetAsync(key, value, options));

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions)"/>
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return WriteAsync(key, new ReadOnlySequence<byte>(value), options, token);
    }

    /// <summary>Resets the sliding window of <paramref name="key"/> without returning its value (a read on the shard's
    /// primary); nothing happens when the key is missing or has no sliding expiry.</summary>
    public void Refresh(string key) => RunSync(() => RefreshAsync(key));

    /// <inheritdoc cref="Refresh"/>
    public Task RefreshAsync(string key, CancellationToken token = default) => ReadAsync(key, token);

    /// <summary>Removes <paramref name="key"/> (nothing happens when it is missing).</summary>
    public void Remove(string key) => RunSync(() => RemoveAsync(key));

    /// <inheritdoc cref="Remove"/>
    public Task RemoveAsync(string key, CancellationToken token = default) => _client.RemoveAsync(key, ct: token);

    /// <summary>Writes the value of <paramref name="key"/> to <paramref name="destination"/>; false (nothing written) when
    /// it is missing, removed or expired.</summary>
    public bool TryGet(string key, IBufferWriter<byte> destination) => RunSync(() => TryGetAsync(key, destination).AsTask());

    /// <inheritdoc cref="TryGet"/>
    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (await ReadAsync(key, token).ConfigureAwait(false) is not { } payload)
            return false;
        destination.Write(payload.Span);
        return true;
    }

    /// <summary>As <see cref="Set(string, byte[], DistributedCacheEntryOptions)"/>, from a sequence of any shape.</summary>
    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) =>
        RunSync(() => SetAsync(key, value, options).AsTask());

    /// <inheritdoc cref="Set(string, ReadOnlySequence{byte}, DistributedCacheEntryOptions)"/>
    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        new(WriteAsync(key, value, options, token));

    private async Task<ReadOnlyMemory<byte>?> ReadAsync(string key, CancellationToken token)
    {
        var stored = await _client.GetBytesAsync(key, ct: token).ConfigureAwait(false);
        if (stored is null)
            return null;
        var (payload, cap) = ValueFrame.Decode(stored);
        if (cap is { } deadline && deadline <= _time.GetUtcNow())
            return null; // past its absolute cap (the node keeps it until its sliding window lapses)
        return payload;
    }

    private Task WriteAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(options);
        var expiry = EntryExpiry.From(options, _time.GetUtcNow());
        var limit = _maxValueBytes - (ValueFrame.NeedsTrailer(value, expiry.Cap) ? ValueFrame.TrailerBytes : 0);
        if (value.Length > limit)
            throw new ArgumentException(
                $"The value of key '{RequestValidation.Shorten(key)}' is {value.Length} bytes; the limit is {limit} " +
                $"(distcache.limits.max-value-bytes = {_maxValueBytes}{(limit < _maxValueBytes ? $", less the {ValueFrame.TrailerBytes}-byte trailer of a capped sliding expiry" : "")}).",
                nameof(value));
        return _client.SetBytesAsync(key, ValueFrame.Encode(value, expiry.Cap), expiry.Expiry, ct: token);
    }

    // The synchronous members block the calling thread on the asynchronous ones run on the thread pool, so no
    // continuation ever needs the caller's SynchronizationContext (a UI thread, a classic ASP.NET request): they
    // cannot deadlock on it. They still hold a thread while they wait; prefer the asynchronous members.
    private static void RunSync(Func<Task> operation) => Task.Run(operation).GetAwaiter().GetResult();

    private static T RunSync<T>(Func<Task<T>> operation) => Task.Run(operation).GetAwaiter().GetResult();
}
