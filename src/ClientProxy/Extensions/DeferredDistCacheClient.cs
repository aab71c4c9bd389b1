using System.Runtime.CompilerServices;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Extensions;

/// <summary>
/// The <see cref="IDistCacheClient"/> that <c>AddDistCache</c> registers: it can be resolved before the client is
/// connected. The connection starts at the first of the host's start (<see cref="DistCacheConnectionService"/>) or
/// the first call; every call waits for it and then forwards. A failed connection fails the calls waiting for it with
/// its <see cref="DistCacheConnectionException"/>; the next call starts a new attempt (one at a time).
/// </summary>
internal sealed class DeferredDistCacheClient : IDistCacheClient, Hybrid.IHybridCacheBackend, IDisposable
{
    private readonly Func<CancellationToken, Task<IDistCacheClient>> _connect;
    private readonly object _gate = new();
    private Task<IDistCacheClient>? _connection;
    private bool _disposed;

    public DeferredDistCacheClient(Func<CancellationToken, Task<IDistCacheClient>> connect) => _connect = connect;

    /// <summary>What the connection is doing now, for the health check.</summary>
    public ConnectionPhase Phase
    {
        get
        {
            lock (_gate)
            {
                if (_disposed)
                    return ConnectionPhase.Disposed;
                return _connection switch
                {
                    null => ConnectionPhase.NotStarted,
                    { IsCompletedSuccessfully: true } => ConnectionPhase.Connected,
                    { IsCompleted: true } => ConnectionPhase.Failed,
                    _ => ConnectionPhase.Connecting,
                };
            }
        }
    }

    /// <summary>The connected client, or null while there is none.</summary>
    public IDistCacheClient? Connected
    {
        get
        {
            lock (_gate)
                return _connection is { IsCompletedSuccessfully: true } c ? c.Result : null;
        }
    }

    /// <summary>Why the last attempt failed (null unless <see cref="Phase"/> is Failed).</summary>
    public Exception? Failure
    {
        get
        {
            lock (_gate)
                return _connection is { IsFaulted: true } c ? c.Exception!.GetBaseException() : null;
        }
    }

    /// <summary>Starts connecting unless a connection exists or is under way (a failed one is replaced), and returns it.
    /// The attempt itself is bounded by DistCacheClientOptions.ConnectTimeout, not by the caller's token.</summary>
    public Task<IDistCacheClient> ConnectAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is null || _connection.IsFaulted || _connection.IsCanceled)
                _connection = Task.Run(() => _connect(CancellationToken.None));
            return _connection;
        }
    }

    private async Task<IDistCacheClient> ClientAsync(CancellationToken ct) => await ConnectAsync().WaitAsync(ct).ConfigureAwait(false);

    public async Task<T?> GetAsync<T>(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        await (await ClientAsync(ct).ConfigureAwait(false)).GetAsync<T>(key, consistency, ct).ConfigureAwait(false);

    public async Task SetAsync<T>(string key, T value, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        await (await ClientAsync(ct).ConfigureAwait(false)).SetAsync(key, value, ttl, consistency, ct).ConfigureAwait(false);

    public async Task<bool> RemoveAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        await (await ClientAsync(ct).ConfigureAwait(false)).RemoveAsync(key, consistency, ct).ConfigureAwait(false);

    public async Task<IReadOnlyDictionary<string, T>> GetMultipleAsync<T>(IEnumerable<string> keys, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        await (await ClientAsync(ct).ConfigureAwait(false)).GetMultipleAsync<T>(keys, consistency, ct).ConfigureAwait(false);

    public async Task SetMultipleAsync<T>(IReadOnlyDictionary<string, T> values, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        await (await ClientAsync(ct).ConfigureAwait(false)).SetMultipleAsync(values, ttl, consistency, ct).ConfigureAwait(false);

    public async Task<DistributedCacheStats> GetStatsAsync(CancellationToken ct = default) =>
        await (await ClientAsync(ct).ConfigureAwait(false)).GetStatsAsync(ct).ConfigureAwait(false);

    public async IAsyncEnumerable<DistributedCacheEvent> SubscribeAsync(CacheEventFilter? filter = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        await foreach (var evt in client.SubscribeAsync(filter, ct).ConfigureAwait(false))
            yield return evt;
    }

    public async Task<byte[]?> GetBytesAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        await (await ClientAsync(ct).ConfigureAwait(false)).GetBytesAsync(key, consistency, ct).ConfigureAwait(false);

    public async Task SetBytesAsync(string key, byte[] value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        await (await ClientAsync(ct).ConfigureAwait(false)).SetBytesAsync(key, value, expiry, consistency, ct).ConfigureAwait(false);

    public async Task SetWithExpiryAsync<T>(string key, T value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
        await (await ClientAsync(ct).ConfigureAwait(false)).SetWithExpiryAsync(key, value, expiry, consistency, ct).ConfigureAwait(false);

    public bool TryGetNear(string key, out byte[] value)
    {
        if (Connected is Hybrid.IHybridCacheBackend backend)
            return backend.TryGetNear(key, out value);
        value = [];
        return false;
    }

    public async Task<byte[]?> GetDirectAsync(string key, ConsistencyLevel level, CancellationToken ct) =>
        await Hybrid.HybridBackend.For(await ClientAsync(ct).ConfigureAwait(false)).GetDirectAsync(key, level, ct).ConfigureAwait(false);

    public async Task<byte[]?> GetMarkerAsync(string key, CancellationToken ct) =>
        await Hybrid.HybridBackend.For(await ClientAsync(ct).ConfigureAwait(false)).GetMarkerAsync(key, ct).ConfigureAwait(false);

    /// <summary>Disposes the connected client (waiting for an attempt under way); later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Task<IDistCacheClient>? connection;
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            connection = _connection;
        }

        if (connection is null)
            return;
        IDistCacheClient client;
        try
        {
            client = await connection.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // never connected (the attempt stopped its own ActorSystem): nothing to dispose
        }

        await client.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>For containers disposed synchronously.</summary>
    public void Dispose() => Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();
}

/// <summary>Where a <see cref="DeferredDistCacheClient"/>'s connection stands.</summary>
internal enum ConnectionPhase
{
    NotStarted,
    Connecting,
    Connected,
    Failed,
    Disposed,
}
