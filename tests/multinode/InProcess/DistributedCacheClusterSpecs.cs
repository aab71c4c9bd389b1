using System.Buffers;
using System.Diagnostics;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Extensions;
using DistCacheAkka.Nemesis;
using DistCacheAkka.Tests.Multinode.Support;
using DistCacheAkka.Tests.Unit.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.Tests.Multinode.InProcess;

/// <summary>One 2-node cluster for <see cref="DistributedCacheClusterSpecs"/>, and a client connected to it.</summary>
public sealed class DistributedCacheClusterFixture : IAsyncLifetime
{
    public InProcessCluster Cluster { get; private set; } = null!;

    public IDistCacheClient Client { get; private set; } = null!;

    public DistCacheDistributedCache Cache { get; private set; } = null!;

    /// <summary>A second application whose reads default to Eventual through a near cache.</summary>
    public DistCacheDistributedCache NearCached { get; private set; } = null!;

    public IDistCacheClient NearCachedClient { get; private set; } = null!;

    public DistCacheClientOptions Options => new()
    {
        SeedNodes = [Cluster.SeedEndpoint],
        ClusterSettings = Cluster.Settings,
        RequestTimeout = TimeSpan.FromSeconds(10),
        ExtraHocon = "akka.loglevel = WARNING",
    };

    public async Task InitializeAsync()
    {
        Cluster = await InProcessCluster.StartAsync(2);
        Client = await Cluster.ConnectClientAsync();
        Cache = new DistCacheDistributedCache(Client, Options);
        var nearOptions = Options with { DefaultConsistency = Messages.ConsistencyLevel.Eventual, NearCache = new NearCacheOptions() };
        NearCachedClient = await Cluster.ConnectClientAsync(_ => nearOptions);
        NearCached = new DistCacheDistributedCache(NearCachedClient, nearOptions);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync().AsTask();
}

// IDistributedCache conformance against a real cluster, from the documented semantics of IDistributedCache,
// IBufferDistributedCache and DistributedCacheEntryOptions: values of 0 B to the 1 MiB limit round-trip in every
// variant (sync, async, byte[] and buffers of one or many segments); every expiry option expires the entry when it
// says and not before (absolute date, relative, sliding renewed by reads or by Refresh, sliding capped by absolute,
// which dies at its cap although read within its window); Remove; the synchronous members under a single-threaded
// SynchronizationContext; AddDistCache in a real Host, with its health check Healthy against the cluster and
// Unhealthy when the cluster cannot be reached.
public class DistributedCacheClusterSpecs(DistributedCacheClusterFixture fixture) : IClassFixture<DistributedCacheClusterFixture>
{
    private static readonly DistributedCacheEntryOptions NoExpiry = new();
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2.5);
    private readonly DistCacheDistributedCache _cache = fixture.Cache;

    public static TheoryData<int> Sizes => new() { 0, 1, 64 * 1024, 1024 * 1024 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Should_round_trip_values_in_every_variant(int size)
    {
        var value = Bytes(size);

        await _cache.SetAsync($"rt:async:{size}", value, NoExpiry);
        _cache.Set($"rt:sync:{size}", value, NoExpiry);
        await _cache.SetAsync($"rt:one:{size}", new ReadOnlySequence<byte>(value), NoExpiry);
        _cache.Set($"rt:many:{size}", Sequences.Chunked(value, 4096), NoExpiry);
        var writer = new ArrayBufferWriter<byte>();
        var syncWriter = new ArrayBufferWriter<byte>();

        Assert.Equal(value, await _cache.GetAsync($"rt:sync:{size}"));
        Assert.Equal(value, _cache.Get($"rt:async:{size}"));
        Assert.True(await _cache.TryGetAsync($"rt:many:{size}", writer));
        Assert.Equal(value, writer.WrittenSpan.ToArray());
        Assert.True(_cache.TryGet($"rt:one:{size}", syncWriter));
        Assert.Equal(value, syncWriter.WrittenSpan.ToArray());
        Assert.Equal(value, await fixture.Client.GetBytesAsync($"rt:async:{size}")); // stored as it is: no framing
    }

    [Fact]
    public async Task Should_write_sequences_with_empty_and_odd_segments()
    {
        var value = Bytes(1000);
        var odd = Sequences.Of([], value[..1], [], value[1..999], value[999..], []);

        await _cache.SetAsync("seq:odd", odd, NoExpiry);

        Assert.Equal(value, await _cache.GetAsync("seq:odd"));
    }

    [Fact]
    public async Task Should_report_missing_keys_and_remove_keys()
    {
        await _cache.SetAsync("rm:a", [1], NoExpiry);
        _cache.Set("rm:b", [2], NoExpiry);
        var writer = new ArrayBufferWriter<byte>();

        await _cache.RemoveAsync("rm:a");
        _cache.Remove("rm:b");
        await _cache.RemoveAsync("rm:never-written");

        Assert.Null(await _cache.GetAsync("rm:a"));
        Assert.Null(_cache.Get("rm:b"));
        Assert.False(await _cache.TryGetAsync("rm:a", writer));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public async Task Should_refuse_an_absolute_expiry_in_the_past()
    {
        var past = new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(-1) };

        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _cache.SetAsync("past", [1], past));

        Assert.Equal(nameof(DistributedCacheEntryOptions.AbsoluteExpiration), e.ParamName);
        Assert.Null(await fixture.Client.GetBytesAsync("past"));
    }

    // The scenarios run side by side to keep the spec short; each one names itself in its failures.
    [Fact]
    public async Task Should_expire_entries_as_their_options_say()
    {
        await Task.WhenAll(
            AbsoluteDate(),
            Relative(),
            SlidingRenewedByReads(),
            SlidingRenewedByRefresh(),
            SlidingRefreshedThroughANearCache(),
            SlidingCappedByAbsolute());

        async Task AbsoluteDate()
        {
            var clock = Stopwatch.StartNew();
            await _cache.SetAsync("exp:date", [1], new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(1.5) });
            Assert.NotNull(await _cache.GetAsync("exp:date"));
            await AwaitGoneAsync("exp:date", clock, TimeSpan.FromSeconds(1.5));
        }

        async Task Relative()
        {
            var clock = Stopwatch.StartNew();
            await _cache.SetAsync("exp:relative", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1.5) });
            Assert.NotNull(await _cache.GetAsync("exp:relative"));
            await AwaitGoneAsync("exp:relative", clock, TimeSpan.FromSeconds(1.5));
        }

        // Reads every 250 ms keep a 2.5 s window open for 5.5 s (over two windows); then it lapses.
        async Task SlidingRenewedByReads()
        {
            await _cache.SetAsync("exp:sliding", [1], new DistributedCacheEntryOptions { SlidingExpiration = Window });
            await KeepTouchingAsync(TimeSpan.FromSeconds(5.5), async () =>
                Assert.True(await _cache.GetAsync("exp:sliding") is not null, "exp:sliding: expired although read within its window"));
            await AssertGoneWhenLeftAloneAsync("exp:sliding", Window);
        }

        async Task SlidingRenewedByRefresh()
        {
            await _cache.SetAsync("exp:refresh", [1], new DistributedCacheEntryOptions { SlidingExpiration = Window });
            await KeepTouchingAsync(TimeSpan.FromSeconds(5.5), () => _cache.RefreshAsync("exp:refresh"));
            Assert.True(await fixture.Client.GetBytesAsync("exp:refresh") is not null, "exp:refresh: expired although refreshed within its window");
            await AssertGoneWhenLeftAloneAsync("exp:refresh", Window);
        }

        // Eventual reads through a near cache: sliding entries are never held there, so Refresh reaches the primary.
        async Task SlidingRefreshedThroughANearCache()
        {
            await fixture.NearCached.SetAsync("exp:near", [1], new DistributedCacheEntryOptions { SlidingExpiration = Window });
            Assert.NotNull(await fixture.NearCached.GetAsync("exp:near"));
            await KeepTouchingAsync(TimeSpan.FromSeconds(5.5), () => fixture.NearCached.RefreshAsync("exp:near"));
            Assert.True(await fixture.NearCached.GetAsync("exp:near") is not null, "exp:near: expired although refreshed through the near cache");
            await AssertGoneWhenLeftAloneAsync("exp:near", Window);
            Assert.Equal(0, (await fixture.NearCachedClient.GetStatsAsync()).NearCache?.Entries);
        }

        // A 2 s window capped at 4 s: read every 250 ms it lives until the cap, not beyond; the node still holds it
        // then (the reads kept its window open) and only the reader's check of the cap hides it.
        async Task SlidingCappedByAbsolute()
        {
            var clock = Stopwatch.StartNew();
            await _cache.SetAsync("exp:capped", [1], new DistributedCacheEntryOptions
            {
                SlidingExpiration = TimeSpan.FromSeconds(2),
                AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(4),
            });
            TimeSpan? goneAt = null;
            await KeepTouchingAsync(TimeSpan.FromSeconds(5.5), async () =>
            {
                if (await _cache.GetAsync("exp:capped") is null)
                    goneAt ??= clock.Elapsed;
                else
                    Assert.True(goneAt is null, "exp:capped: came back after it was gone");
            });

            Assert.True(goneAt is { } at && at >= TimeSpan.FromSeconds(4), $"exp:capped: gone at {goneAt?.TotalSeconds:0.00} s; its cap was 4 s");
            Assert.True(goneAt < TimeSpan.FromSeconds(5.5), "exp:capped: outlived its absolute cap although read within its window");
            Assert.NotNull(await fixture.Client.GetBytesAsync("exp:capped"));
        }
    }

    [Fact]
    public void Should_not_deadlock_the_sync_members_under_a_single_threaded_context()
    {
        byte[]? read = null;
        var writer = new ArrayBufferWriter<byte>();
        var found = false;

        SingleThreadContext.Run(() =>
        {
            _cache.Set("ctx:a", [1, 2, 3], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) });
            _cache.Refresh("ctx:a");
            read = _cache.Get("ctx:a");
            _cache.Set("ctx:b", Sequences.Of([4], [5, 6]), NoExpiry);
            found = _cache.TryGet("ctx:b", writer);
            _cache.Remove("ctx:a");
        }, TimeSpan.FromSeconds(30));

        Assert.Equal([1, 2, 3], read);
        Assert.True(found);
        Assert.Equal([4, 5, 6], writer.WrittenSpan.ToArray());
        Assert.Null(_cache.Get("ctx:a"));
    }

    [Fact]
    public async Task Should_serve_a_host_through_AddDistCache_and_report_it_healthy()
    {
        using var host = new HostBuilder().ConfigureServices(services =>
        {
            services.AddDistCache(fixture.Options);
            services.AddHealthChecks().AddDistCache();
        }).Build();
        var early = host.Services.GetRequiredService<IDistCacheClient>();
        var pending = early.SetBytesAsync("host:early", [9], Messages.CacheExpiry.Never); // resolved and used before the host starts

        await host.StartAsync();
        try
        {
            var cache = host.Services.GetRequiredService<IDistributedCache>();
            await cache.SetAsync("host:1", [1, 2], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
            await pending;
            var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

            Assert.Equal([1, 2], await cache.GetAsync("host:1"));
            Assert.Equal([1, 2], await fixture.Cache.GetAsync("host:1")); // another client sees the write
            Assert.Equal([9], await cache.GetAsync("host:early"));
            Assert.Same(cache, host.Services.GetRequiredService<IBufferDistributedCache>());
            Assert.Equal(HealthStatus.Healthy, health.Status);
            Assert.Equal("2 data nodes reachable.", health.Entries["distcache"].Description);
        }
        finally
        {
            await host.StopAsync();
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => early.GetBytesAsync("host:1")); // disposed when the host stopped
    }

    [Fact]
    public async Task Should_fail_the_host_start_and_report_unhealthy_when_the_cluster_cannot_be_reached()
    {
        var deadPort = NodeProcess.FreePort();
        using var host = new HostBuilder().ConfigureServices(services =>
        {
            services.AddDistCache(fixture.Options with { SeedNodes = [$"127.0.0.1:{deadPort}"], ConnectTimeout = TimeSpan.FromSeconds(1) });
            services.AddHealthChecks().AddDistCache();
        }).Build();

        var start = await Assert.ThrowsAsync<DistCacheConnectionException>(() => host.StartAsync());
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Contains($"127.0.0.1:{deadPort}", start.Message);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains($"could not connect: Could not reach the cluster through seeds [127.0.0.1:{deadPort}]", health.Entries["distcache"].Description);
    }

    /// <summary>Touches an entry every 250 ms for <paramref name="duration"/> (a workload's pace, not a synchronisation).
    /// A failing touch reports the longest gap between touches so far, the usual suspect on a loaded machine.</summary>
    private static async Task KeepTouchingAsync(TimeSpan duration, Func<Task> touch)
    {
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var longestGap = TimeSpan.Zero;
        while (clock.Elapsed < duration)
        {
            var now = clock.Elapsed;
            longestGap = now - last > longestGap ? now - last : longestGap;
            last = now;
            try
            {
                await touch();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new Xunit.Sdk.XunitException($"{e.Message} (at {now.TotalSeconds:0.00} s; longest gap between touches: {longestGap.TotalMilliseconds:0} ms)");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Leaves a sliding entry unread for its window and a margin, then asserts it is gone. This wait is the behaviour
    /// under test, not a synchronisation: any read while it lives would renew it, so it cannot be polled.
    /// </summary>
    private async Task AssertGoneWhenLeftAloneAsync(string key, TimeSpan window)
    {
        await Task.Delay(window + TimeSpan.FromMilliseconds(700));
        Assert.True(await _cache.GetAsync(key) is null, $"{key}: still there after {window.TotalSeconds + 0.7:0.0} s unread; its window is {window.TotalSeconds} s");
    }

    /// <summary>Asserts the entry is still there until <paramref name="notBefore"/> has passed on <paramref name="clock"/>
    /// whenever it is read, and waits (deadline: 5 s more) until it is gone.</summary>
    private async Task AwaitGoneAsync(string key, Stopwatch clock, TimeSpan notBefore)
    {
        await Eventually.HoldsAsync(async () =>
        {
            var before = clock.Elapsed;
            var gone = await _cache.GetAsync(key) is null;
            Assert.False(gone && before < notBefore - TimeSpan.FromMilliseconds(50), $"{key}: gone after {before.TotalSeconds:0.00} s; it should live {notBefore.TotalSeconds} s");
            return gone;
        }, notBefore + TimeSpan.FromSeconds(5), $"{key} to expire");
    }

    private static byte[] Bytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }
}
