using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Hybrid;

/// <summary>
/// The reads the HybridCache needs beyond <see cref="IDistCacheClient"/>: the near cache alone, the cluster alone, and
/// a tag-marker read that caches absence. Implemented by the connected client and by the deferred client of
/// AddDistCache; <see cref="HybridBackend.For"/> falls back to plain client calls for other implementations.
/// </summary>
internal interface IHybridCacheBackend
{
    /// <summary>The near cache's copy of <paramref name="key"/>, without any round trip; false when not held (or no near cache).</summary>
    bool TryGetNear(string key, out byte[] value);

    /// <summary>A read from the cluster at <paramref name="level"/> that neither reads nor fills the near cache.</summary>
    Task<byte[]?> GetDirectAsync(string key, ConsistencyLevel level, CancellationToken ct);

    /// <summary>An Eventual read through the near cache that also caches a missing key (for reserved marker keys).</summary>
    Task<byte[]?> GetMarkerAsync(string key, CancellationToken ct);
}

/// <summary>Picks the backend of a client.</summary>
internal static class HybridBackend
{
    /// <summary>The client itself when it implements <see cref="IHybridCacheBackend"/>, else plain calls on it (no near cache).</summary>
    public static IHybridCacheBackend For(IDistCacheClient client) => client as IHybridCacheBackend ?? new Plain(client);

    private sealed class Plain(IDistCacheClient client) : IHybridCacheBackend
    {
        public bool TryGetNear(string key, out byte[] value)
        {
            value = [];
            return false;
        }

        public Task<byte[]?> GetDirectAsync(string key, ConsistencyLevel level, CancellationToken ct) => client.GetBytesAsync(key, level, ct);

        public Task<byte[]?> GetMarkerAsync(string key, CancellationToken ct) => client.GetBytesAsync(key, ConsistencyLevel.Eventual, ct);
    }
}
