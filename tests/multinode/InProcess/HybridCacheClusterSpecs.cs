using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Extensions;
using DistCacheAkka.ClientProxy.Hybrid;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.Tests.Multinode.InProcess;

/// <summary>One 2-node cluster for <see cref="HybridCacheClusterSpecs"/>, and two applications on it, each a container
/// with AddDistCache + AddDistCacheHybridCache (so each has its own client, near cache and HybridCache).</summary>
public sealed class HybridCacheClusterFixture : IAsyncLifetime
{
    public InProcessCluster Cluster { get; private set; } = null!;

    public HybridApp A { get; private set; } = null!;

    public HybridApp B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await InProcessCluster.StartAsync(2);
        A = await HybridApp.StartAsync(Cluster);
        B = await HybridApp.StartAsync(Cluster);
    }

    public async Task DisposeAsync()
    {
        if (A is not null)
            await A.DisposeAsync();
        if (B is not null)
            await B.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>An application: its container, HybridCache and (connected) client.</summary>
public sealed class HybridApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private HybridApp(ServiceProvider services, HybridCache cache, DistCacheClientImpl client)
    {
        _services = services;
        Cache = cache;
        Client = client;
    }

    public HybridCache Cache { get; }

    internal DistCacheClientImpl Client { get; }

    public NearCacheStats Near => Client.NearCacheStats!;

    public static async Task<HybridApp> StartAsync(InProcessCluster cluster)
    {
        var services = new ServiceCollection()
            .AddDistCache(new DistCacheClientOptions // no near cache here: AddDistCacheHybridCache switches it on
            {
                SeedNodes = [cluster.SeedEndpoint],
                ClusterSettings = cluster.Settings,
                RequestTimeout = TimeSpan.FromSeconds(10),
                ExtraHocon = "akka.loglevel = WARNING",
            })
            .AddDistCacheHybridCache()
            .BuildServiceProvider();
        var deferred = services.GetRequiredService<DeferredDistCacheClient>();
        var client = (DistCacheClientImpl)await deferred.ConnectAsync();
        return new HybridApp(services, services.GetRequiredService<HybridCache>(), client);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

// HybridCache over a real cluster (issue 15, item 3): two applications on one cluster. A value one creates the other
// reads from L2 without running its factory, then from its L1 (near cache); a set, a remove and a tag removal ("*"
// too) in one application reach the other's L1, so its next read returns the new state; concurrent GetOrCreateAsync
// calls in one application run the factory once. Two data nodes (R = 2) keep the class well under a minute.
public class HybridCacheClusterSpecs(HybridCacheClusterFixture fixture) : IClassFixture<HybridCacheClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private static readonly HybridCacheEntryOptions CacheOnly = new() { Flags = HybridCacheEntryFlags.DisableUnderlyingData };
    private static readonly HybridCacheEntryOptions L1Only = new()
    {
        Flags = HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableDistributedCacheRead,
    };

    private HybridApp A => fixture.A;

    private HybridApp B => fixture.B;

    private static ValueTask<string> Fail(CancellationToken _) => throw new InvalidOperationException("this factory must not run");

    /// <summary>Waits until <paramref name="app"/> serves <paramref name="key"/> from its L1 alone.</summary>
    private static Task AwaitInL1(HybridApp app, string key, string value, string[]? tags = null) =>
        Eventually.HoldsAsync(async () =>
        {
            await app.Cache.GetOrCreateAsync(key, Fail, CacheOnly, tags); // fills L1 from L2
            return await app.Cache.GetOrCreateAsync<string>(key, _ => default, L1Only, tags) == value;
        }, Deadline, $"{key} = {value} in the application's L1");

    [Fact]
    public async Task Should_read_a_value_created_in_one_application_from_L2_in_the_other_without_its_factory()
    {
        var runsA = 0;

        var created = await A.Cache.GetOrCreateAsync("hc:shared", _ => { Interlocked.Increment(ref runsA); return ValueTask.FromResult("made by A"); });
        var read = await B.Cache.GetOrCreateAsync("hc:shared", Fail);

        Assert.Equal("made by A", created);
        Assert.Equal("made by A", read);
        Assert.Equal(1, runsA);
        var hits = B.Near.Hits;
        await AwaitInL1(B, "hc:shared", "made by A");
        Assert.True(B.Near.Hits > hits, "B's later reads are near-cache hits");
    }

    [Fact]
    public async Task Should_show_another_applications_set_and_remove_at_the_next_read()
    {
        await A.Cache.SetAsync("hc:item", "v1");
        await AwaitInL1(B, "hc:item", "v1");

        await A.Cache.SetAsync("hc:item", "v2");
        await Eventually.HoldsAsync(async () => await B.Cache.GetOrCreateAsync("hc:item", Fail) == "v2", Deadline, "B reads A's set");
        await AwaitInL1(B, "hc:item", "v2");

        await A.Cache.RemoveAsync("hc:item");
        await Eventually.HoldsAsync(async () => await B.Cache.GetOrCreateAsync<string>("hc:item", _ => default, CacheOnly) is null,
            Deadline, "B reads A's removal");
        Assert.Equal("recreated by B", await B.Cache.GetOrCreateAsync("hc:item", _ => ValueTask.FromResult("recreated by B")));
        Assert.Equal("recreated by B", await A.Cache.GetOrCreateAsync("hc:item", Fail));
    }

    [Fact]
    public async Task Should_show_another_applications_tag_removal_at_the_next_read()
    {
        string[] books = ["books"];
        await A.Cache.SetAsync("hc:book:1", "dune", tags: books);
        await A.Cache.SetAsync("hc:film:1", "alien", tags: ["films"]);
        await AwaitInL1(B, "hc:book:1", "dune", books);
        await AwaitInL1(B, "hc:film:1", "alien");

        await A.Cache.RemoveByTagAsync("books");

        await Eventually.HoldsAsync(async () => await B.Cache.GetOrCreateAsync<string>("hc:book:1", _ => default, L1Only, books) is null,
            Deadline, "B's L1 stops serving the removed tag's entry");
        Assert.Null(await B.Cache.GetOrCreateAsync<string>("hc:book:1", _ => default, CacheOnly, books)); // nor does L2
        Assert.Equal("alien", await B.Cache.GetOrCreateAsync<string>("hc:film:1", _ => default, L1Only)); // other tags stay
        Assert.Equal("dune 2", await B.Cache.GetOrCreateAsync("hc:book:1", _ => ValueTask.FromResult("dune 2"), tags: books));
        Assert.Equal("dune 2", await A.Cache.GetOrCreateAsync("hc:book:1", Fail, tags: books)); // a newer entry survives the removal

        await B.Cache.RemoveByTagAsync("*");

        await Eventually.HoldsAsync(async () => await A.Cache.GetOrCreateAsync<string>("hc:film:1", _ => default, CacheOnly) is null,
            Deadline, "A sees B's removal of every entry");
        Assert.Null(await A.Cache.GetOrCreateAsync<string>("hc:book:1", _ => default, CacheOnly, books));
    }

    [Fact]
    public async Task Should_run_the_factory_once_for_concurrent_callers_of_one_application()
    {
        var runs = 0;
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 32)
            .Select(_ => A.Cache.GetOrCreateAsync("hc:stampede", async ct =>
            {
                Interlocked.Increment(ref runs);
                return await release.Task.WaitAsync(ct);
            }).AsTask())
            .ToArray();

        await Eventually.HoldsAsync(() => Volatile.Read(ref runs) > 0, Deadline, "the factory started");
        release.SetResult("once");
        var values = await Task.WhenAll(callers).WaitAsync(Deadline);

        Assert.All(values, v => Assert.Equal("once", v));
        Assert.Equal(1, runs);
        Assert.Equal("once", await B.Cache.GetOrCreateAsync("hc:stampede", Fail));
    }
}
