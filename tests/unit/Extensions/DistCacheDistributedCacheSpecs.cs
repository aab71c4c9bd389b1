using System.Buffers;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Extensions;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;
using Microsoft.Extensions.Caching.Distributed;

namespace DistCacheAkka.Tests.Unit.Extensions;

// DistCacheDistributedCache over an in-memory client and a manual clock: what it writes (bytes and expiry) for each
// option, that a capped sliding entry reads as missing once its cap passed although the node still holds it, that
// Refresh is a read that returns nothing, the value limit, and that the synchronous members cannot deadlock under a
// single-threaded SynchronizationContext even when the client beneath resumes on the caller's context.
public class DistCacheDistributedCacheSpecs
{
    private static readonly DistCacheClientOptions Options = new() { SeedNodes = ["127.0.0.1:4053"] };
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryDistCacheClient _client = new();
    private readonly DistCacheDistributedCache _cache;

    public DistCacheDistributedCacheSpecs() => _cache = new DistCacheDistributedCache(_client, Options, _time);

    [Fact]
    public async Task Should_store_plain_bytes_with_the_mapped_expiry()
    {
        await _cache.SetAsync("a", [1, 2, 3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(9) });
        await _cache.SetAsync("s", [4], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(3) });
        await _cache.SetAsync("n", [], new DistributedCacheEntryOptions());

        Assert.Equal([1, 2, 3], Stored("a").Value);
        Assert.Equal(CacheExpiry.After(TimeSpan.FromSeconds(9)), Stored("a").Expiry);
        Assert.Equal([4], Stored("s").Value);
        Assert.Equal(CacheExpiry.Sliding(TimeSpan.FromSeconds(3)), Stored("s").Expiry);
        Assert.Empty(Stored("n").Value);
        Assert.Equal(CacheExpiry.Never, Stored("n").Expiry);
    }

    [Fact]
    public async Task Should_report_a_capped_sliding_entry_missing_once_its_cap_passed()
    {
        var options = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(1), AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(3) };
        await _cache.SetAsync("k", [7, 7], options);

        Assert.Equal(CacheExpiry.Sliding(TimeSpan.FromSeconds(1)), Stored("k").Expiry);
        Assert.Equal(18, Stored("k").Value.Length); // 2 bytes + the 16-byte trailer carrying the cap
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.Equal([7, 7], await _cache.GetAsync("k"));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Null(await _cache.GetAsync("k"));
        Assert.False(await _cache.TryGetAsync("k", new ArrayBufferWriter<byte>()));
        Assert.True(_client.Entries.ContainsKey("k")); // the node would still hold it: the reader enforces the cap
    }

    [Fact]
    public async Task Should_refresh_by_reading_without_returning_anything()
    {
        await _cache.SetAsync("k", [1], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(5) });
        var before = _client.Reads;

        await _cache.RefreshAsync("k");
        _cache.Refresh("k");
        await _cache.RefreshAsync("missing");

        Assert.Equal(before + 3, _client.Reads);
    }

    [Fact]
    public async Task Should_write_buffers_of_any_shape_and_read_into_a_buffer_writer()
    {
        var bytes = ValueFrameSpecs.Random(10_000);
        await _cache.SetAsync("one", new ReadOnlySequence<byte>(bytes), new DistributedCacheEntryOptions());
        await _cache.SetAsync("many", Sequences.Chunked(bytes, 999), new DistributedCacheEntryOptions());
        var writer = new ArrayBufferWriter<byte>();

        Assert.True(await _cache.TryGetAsync("many", writer));
        Assert.Equal(bytes, writer.WrittenSpan.ToArray());
        Assert.Equal(bytes, await _cache.GetAsync("one"));
        Assert.False(_cache.TryGet("missing", writer));
        Assert.Equal(bytes.Length, writer.WrittenCount); // nothing written for a miss
    }

    [Fact]
    public async Task Should_refuse_values_over_the_limit_naming_it()
    {
        var limit = Options.ClusterSettings.MaxValueBytes;
        await _cache.SetAsync("max", new byte[limit], new DistributedCacheEntryOptions());
        var capped = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(1), AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(5) };

        var over = await Assert.ThrowsAsync<ArgumentException>(() => _cache.SetAsync("big", new byte[limit + 1], new DistributedCacheEntryOptions()));
        var overCapped = await Assert.ThrowsAsync<ArgumentException>(() => _cache.SetAsync("big", new byte[limit - 15], capped));

        Assert.Contains($"is {limit + 1} bytes; the limit is {limit} (distcache.limits.max-value-bytes", over.Message);
        Assert.Contains($"the limit is {limit - 16}", overCapped.Message);
        Assert.Contains("trailer of a capped sliding expiry", overCapped.Message);
        Assert.Equal(limit, Stored("max").Value.Length);
    }

    [Fact]
    public async Task Should_refuse_an_absolute_expiry_in_the_past_in_every_variant()
    {
        var past = new DistributedCacheEntryOptions { AbsoluteExpiration = _time.GetUtcNow().AddSeconds(-1) };

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _cache.SetAsync("k", [1], past));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _cache.SetAsync("k", new ReadOnlySequence<byte>([1]), past).AsTask());
        Assert.Throws<ArgumentOutOfRangeException>(() => _cache.Set("k", [1], past));
        Assert.Empty(_client.Entries);
    }

    [Fact]
    public void Should_detect_a_deadlock_in_the_test_context()
    {
        // The harness must be able to fail: blocking on a continuation that needs the context deadlocks.
        static async Task ResumeOnContext() => await Task.Yield();

        Assert.Throws<TimeoutException>(() => SingleThreadContext.Run(() => ResumeOnContext().GetAwaiter().GetResult(), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Should_not_deadlock_the_sync_members_under_a_single_threaded_context()
    {
        var careless = new InMemoryDistCacheClient { YieldOnEveryCall = true };
        var cache = new DistCacheDistributedCache(careless, Options, _time);
        byte[]? read = null;
        var found = false;
        var writer = new ArrayBufferWriter<byte>();

        SingleThreadContext.Run(() =>
        {
            cache.Set("k", [1, 2], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(5) });
            cache.Refresh("k");
            read = cache.Get("k");
            cache.Set("b", Sequences.Of([3], [4]), new DistributedCacheEntryOptions());
            found = cache.TryGet("b", writer);
            cache.Remove("k");
        }, TimeSpan.FromSeconds(10));

        Assert.Equal([1, 2], read);
        Assert.True(found);
        Assert.Equal([3, 4], writer.WrittenSpan.ToArray());
        Assert.False(careless.Entries.ContainsKey("k"));
    }

    private (byte[] Value, CacheExpiry Expiry) Stored(string key) => _client.Entries[key];
}
