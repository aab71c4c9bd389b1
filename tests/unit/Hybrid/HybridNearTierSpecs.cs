using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Hybrid;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.Tests.Unit.Hybrid;

// Which tier answers, with an L1 that holds an older copy than L2 (as it may for the instant before an invalidation
// arrives): a plain call takes L1; DisableLocalCacheRead and an L1 copy older than LocalCacheExpiration go to the
// cluster directly; DisableDistributedCacheRead takes L1 only; tag markers are read through the marker path.
public class HybridNearTierSpecs
{
    private readonly TieredClient _client = new();
    private readonly ManualTimeProvider _time = new();
    private readonly DistCacheHybridCache _cache;

    public HybridNearTierSpecs() =>
        _cache = new DistCacheHybridCache(_client, new DistCacheHybridCacheOptions(), new HybridSerializers(new ServiceCollection().BuildServiceProvider()), _time);

    private async Task OldInL1NewInL2(string key)
    {
        await _cache.SetAsync(key, "old");
        _client.Near[key] = _client.Cluster.Entries[key].Value;
        _time.Advance(TimeSpan.FromMinutes(1));
        await _cache.SetAsync(key, "new");
    }

    private static HybridCacheEntryOptions With(HybridCacheEntryFlags flags) => new() { Flags = flags | HybridCacheEntryFlags.DisableUnderlyingData };

    [Fact]
    public async Task Should_pick_the_tier_the_flags_allow()
    {
        await OldInL1NewInL2("k");

        Assert.Equal("old", await _cache.GetOrCreateAsync<string>("k", _ => default, With(HybridCacheEntryFlags.None)));
        Assert.Equal("old", await _cache.GetOrCreateAsync<string>("k", _ => default, With(HybridCacheEntryFlags.DisableDistributedCacheRead)));
        Assert.Equal("new", await _cache.GetOrCreateAsync<string>("k", _ => default, With(HybridCacheEntryFlags.DisableLocalCacheRead)));
        Assert.Equal(1, _client.DirectReads);
        Assert.Null(await _cache.GetOrCreateAsync<string>("absent", _ => default, With(HybridCacheEntryFlags.DisableDistributedCacheRead)));
        Assert.Equal(1, _client.DirectReads);
    }

    [Fact]
    public async Task Should_read_past_an_L1_copy_older_than_LocalCacheExpiration()
    {
        await OldInL1NewInL2("k");
        var entry = With(HybridCacheEntryFlags.None);

        var young = await _cache.GetOrCreateAsync<string>("k", _ => default,
            new HybridCacheEntryOptions { Flags = entry.Flags, LocalCacheExpiration = TimeSpan.FromMinutes(5) });
        var tooOld = await _cache.GetOrCreateAsync<string>("k", _ => default,
            new HybridCacheEntryOptions { Flags = entry.Flags, LocalCacheExpiration = TimeSpan.FromSeconds(30) });

        Assert.Equal("old", young);
        Assert.Equal("new", tooOld);
    }

    [Fact]
    public async Task Should_read_tag_markers_through_the_marker_path()
    {
        await _cache.SetAsync("k", "v", tags: ["t"]);
        _client.Near["k"] = _client.Cluster.Entries["k"].Value;

        Assert.Equal("v", await _cache.GetOrCreateAsync<string>("k", _ => default, With(HybridCacheEntryFlags.DisableDistributedCacheRead)));
        Assert.Equal(["__hc:all", "__hc:tag:t"], _client.MarkerReads.Order());
    }

    /// <summary>A dictionary "cluster" with a separate dictionary as its near cache, filled only by the test.</summary>
    private sealed class TieredClient : IDistCacheClient, IHybridCacheBackend
    {
        public InMemoryDistCacheClient Cluster { get; } = new();

        public Dictionary<string, byte[]> Near { get; } = new(StringComparer.Ordinal);

        public int DirectReads { get; private set; }

        public List<string> MarkerReads { get; } = [];

        public bool TryGetNear(string key, out byte[] value) => Near.TryGetValue(key, out value!);

        public Task<byte[]?> GetDirectAsync(string key, ConsistencyLevel level, CancellationToken ct)
        {
            DirectReads++;
            return Cluster.GetBytesAsync(key, level, ct);
        }

        public Task<byte[]?> GetMarkerAsync(string key, CancellationToken ct)
        {
            MarkerReads.Add(key);
            return Cluster.GetBytesAsync(key, ConsistencyLevel.Eventual, ct);
        }

        public Task<byte[]?> GetBytesAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
            Near.TryGetValue(key, out var near) ? Task.FromResult<byte[]?>(near) : Cluster.GetBytesAsync(key, consistency, ct);

        public Task SetBytesAsync(string key, byte[] value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
            Cluster.SetBytesAsync(key, value, expiry, consistency, ct);

        public Task<bool> RemoveAsync(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default) => Cluster.RemoveAsync(key, consistency, ct);

        public Task<T?> GetAsync<T>(string key, ConsistencyLevel? consistency = null, CancellationToken ct = default) => throw new NotSupportedException();

        public Task SetAsync<T>(string key, T value, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public Task<IReadOnlyDictionary<string, T>> GetMultipleAsync<T>(IEnumerable<string> keys, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public Task SetMultipleAsync<T>(IReadOnlyDictionary<string, T> values, TimeSpan? ttl = null, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public Task<DistributedCacheStats> GetStatsAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<DistributedCacheEvent> SubscribeAsync(CacheEventFilter? filter = null, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public Task SetWithExpiryAsync<T>(string key, T value, CacheExpiry expiry, ConsistencyLevel? consistency = null, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
